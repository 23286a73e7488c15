/** Report schedules: how they read (cadence, contents), the contents' rules, and the form. */
import type { Cadence, Content, Schedule, ScheduleCreate, ScheduleUpdate, Weekday } from "../types";

export const WEEKDAYS: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

export const WEEKDAY_LABELS: Record<Weekday, string> = {
  mon: "Monday",
  tue: "Tuesday",
  wed: "Wednesday",
  thu: "Thursday",
  fri: "Friday",
  sat: "Saturday",
  sun: "Sunday",
};

export const CADENCE_LABELS: Record<Cadence, string> = { monthly: "Monthly", weekly: "Weekly" };

export const CONTENTS: readonly Content[] = [
  "report",
  "bill",
  "bill_xlsx",
  "tenant_bills",
  "reconciliation_xlsx",
];

export const CONTENT_LABELS: Record<Content, string> = {
  report: "Site report (PDF)",
  bill: "Site bill (PDF)",
  bill_xlsx: "Site bill (Excel)",
  tenant_bills: "Tenant bills (PDF)",
  reconciliation_xlsx: "Reconciliation (Excel)",
};

/** The contents a weekly schedule cannot send: they are bills of a calendar month. */
export const MONTHLY_ONLY: readonly Content[] = ["tenant_bills", "reconciliation_xlsx"];

/** The only content of a tenant's schedule: that tenant's bill. */
export const TENANT_CONTENTS: readonly Content[] = ["tenant_bills"];

/** "07:00:00" (the API's time) → "07:00". */
export function formatLocalTime(time: string): string {
  return time.slice(0, 5);
}

/** "Monthly on day 3 at 07:00", "Weekly on Monday at 07:00". */
export function cadenceLabel(
  schedule: Pick<Schedule, "cadence" | "day_of_month" | "weekday" | "local_time">,
): string {
  const at = `at ${formatLocalTime(schedule.local_time)}`;
  if (schedule.cadence === "monthly") return `Monthly on day ${schedule.day_of_month ?? "?"} ${at}`;
  return `Weekly on ${schedule.weekday ? WEEKDAY_LABELS[schedule.weekday] : "?"} ${at}`;
}

/** What a content is called in a schedule of the site, or of one tenant. */
export function contentLabel(content: Content, tenantSchedule = false): string {
  return tenantSchedule && content === "tenant_bills"
    ? "Tenant's bill (PDF)"
    : CONTENT_LABELS[content];
}

type ContentContext = { cadence: Cadence; tenant: boolean };

/** Why `content` cannot be sent by such a schedule, or null when it can. */
export function contentRefusal(
  content: Content,
  { cadence, tenant }: ContentContext,
): string | null {
  if (tenant && !TENANT_CONTENTS.includes(content))
    return "A tenant's schedule sends only the tenant's bill";
  if (cadence === "weekly" && MONTHLY_ONLY.includes(content)) return "Monthly schedules only";
  return null;
}

/** The contents such a schedule may send. */
export function allowedContents(context: ContentContext): Content[] {
  return CONTENTS.filter((c) => contentRefusal(c, context) === null);
}

/**
 * The chosen contents that such a schedule may still send (after the cadence or the tenant
 * changed); a tenant's schedule gets its only content when nothing is left.
 */
export function keepAllowedContents(
  contents: readonly Content[],
  context: ContentContext,
): Content[] {
  const kept = contents.filter((c) => contentRefusal(c, context) === null);
  return kept.length === 0 && context.tenant ? [...TENANT_CONTENTS] : kept;
}

/** The form's check of the contents (the API's rules): a sentence, or null when fine. */
export function contentsProblem(
  contents: readonly Content[],
  context: ContentContext,
): string | null {
  if (contents.length === 0) return "Choose at least one document";
  for (const c of contents) {
    const refusal = contentRefusal(c, context);
    if (refusal) return `${CONTENT_LABELS[c]}: ${refusal.toLowerCase()}`;
  }
  return null;
}

const EMAIL = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/;

export function isEmail(value: string): boolean {
  return EMAIL.test(value);
}

export const MAX_RECIPIENTS = 20;

/** The form's check of the recipients: a sentence, or null when fine. */
export function recipientsProblem(recipients: readonly string[]): string | null {
  if (recipients.length === 0) return "Add at least one e-mail address";
  if (recipients.length > MAX_RECIPIENTS) return `At most ${MAX_RECIPIENTS} recipients`;
  const wrong = recipients.filter((r) => !isEmail(r));
  if (wrong.length) return `Not an e-mail address: ${wrong.join(", ")}`;
  const lower = recipients.map((r) => r.toLowerCase());
  const twice = lower.filter((r, i) => lower.indexOf(r) !== i);
  if (twice.length) return `Listed twice: ${[...new Set(twice)].join(", ")}`;
  return null;
}

/** What the schedule form holds. */
export type ScheduleFormValues = {
  name: string;
  site_id?: number | null;
  /** The tenant whose bill the schedule sends; none: the whole site. */
  tenant_id?: number | null;
  cadence: Cadence;
  day_of_month?: number | null;
  weekday?: Weekday | null;
  /** "HH:MM", site time. */
  local_time: string;
  contents: Content[];
  recipients: string[];
  enabled: boolean;
};

/** The fields a 422 may name (the form's names are the API's). */
export const SCHEDULE_FIELDS: readonly string[] = [
  "name",
  "site_id",
  "tenant_id",
  "cadence",
  "day_of_month",
  "weekday",
  "local_time",
  "contents",
  "recipients",
  "enabled",
];

/** A new schedule: monthly on the 3rd at 07:00, the site report and the bill. */
export function scheduleFormDefaults(siteId?: number): ScheduleFormValues {
  return {
    name: "",
    site_id: siteId ?? null,
    tenant_id: null,
    cadence: "monthly",
    day_of_month: 3,
    weekday: "mon",
    local_time: "07:00",
    contents: ["report", "bill"],
    recipients: [],
    enabled: true,
  };
}

export function formFromSchedule(schedule: Schedule): ScheduleFormValues {
  return {
    name: schedule.name,
    site_id: schedule.site_id,
    tenant_id: schedule.tenant_id,
    cadence: schedule.cadence,
    day_of_month: schedule.day_of_month ?? 3,
    weekday: schedule.weekday ?? "mon",
    local_time: formatLocalTime(schedule.local_time),
    contents: [...schedule.contents],
    recipients: [...schedule.recipients],
    enabled: schedule.enabled,
  };
}

/** The timing and what is sent, as both the create and the update take them. */
function common(values: ScheduleFormValues) {
  const monthly = values.cadence === "monthly";
  return {
    name: values.name.trim(),
    cadence: values.cadence,
    day_of_month: monthly ? (values.day_of_month ?? null) : null,
    weekday: monthly ? null : (values.weekday ?? null),
    local_time: values.local_time,
    contents: CONTENTS.filter((c) => values.contents.includes(c)),
    recipients: values.recipients.map((r) => r.trim()),
    enabled: values.enabled,
  };
}

/** POST /api/report-schedules */
export function scheduleCreateFromForm(values: ScheduleFormValues): ScheduleCreate {
  return { ...common(values), site_id: values.site_id ?? 0, tenant_id: values.tenant_id ?? null };
}

/** PATCH /api/report-schedules/{id}: everything but the site and the tenant, which stay. */
export function scheduleUpdateFromForm(values: ScheduleFormValues): ScheduleUpdate {
  return common(values);
}
