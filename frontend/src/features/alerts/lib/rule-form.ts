/** The rule form: its values, the request bodies made of them, and the 422s mapped back. */
import type { AlertRule, AlertRuleUpdate, AlertRuleWrite, RuleKind, Severity } from "../types";
import { KINDS, PARAM_DEFAULTS, PARAM_NAMES } from "./kinds";
import type { ParamName } from "./kinds";
import { rowsFromWindows, windowsFromRows } from "./windows";
import type { WindowRow } from "./windows";

export type SubjectKind = "site" | "device" | "virtual_meter";

export const SUBJECT_LABELS: Record<SubjectKind, string> = {
  site: "Site",
  device: "Device",
  virtual_meter: "Virtual meter",
};

/**
 * What the rule form holds: the rule's fields, and every kind's parameters as flat fields
 * (`threshold`, `schedule`…): only the chosen kind's are sent. antd's InputNumber gives
 * `null` for empty.
 */
export type RuleFormValues = {
  name: string;
  subject_kind: SubjectKind;
  /** The site: the subject of a site rule, where the device or virtual meter is otherwise. */
  site_id?: number | null;
  device_id?: number | null;
  virtual_meter_id?: number | null;
  kind: RuleKind;
  severity: Severity;
  enabled: boolean;
  for_minutes?: number | null;
  /** Quiet hours (none: an empty list). */
  quiet_hours?: WindowRow[];
} & Partial<Record<Exclude<ParamName, "schedule">, number | string | null>> & {
    schedule?: WindowRow[];
  };

/** The fields a 422 may name, as the form's (see `flattenRuleErrors`). */
export const RULE_FIELDS: readonly string[] = [
  "name",
  "site_id",
  "device_id",
  "virtual_meter_id",
  "kind",
  "severity",
  "enabled",
  "for_minutes",
  "quiet_hours",
  ...PARAM_NAMES,
];

/** The rule's kind's parameters from the form's flat fields: empty optional ones are left out
 * (the API applies its default: a clear value equal to the threshold, 60 minutes…). */
export function paramsFromForm(values: RuleFormValues): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const field of KINDS[values.kind].params) {
    if (field.type === "windows") {
      params[field.name] = windowsFromRows(values.schedule) ?? { timezone: "site", windows: [] };
      continue;
    }
    const value = values[field.name as Exclude<ParamName, "schedule">];
    if (value === null || value === undefined || value === "") continue;
    params[field.name] = value;
  }
  return params;
}

/** The subject's id fields: exactly one set. */
export function subjectFromForm(
  values: Pick<RuleFormValues, "subject_kind" | "site_id" | "device_id" | "virtual_meter_id">,
): Pick<AlertRuleWrite, "site_id" | "device_id" | "virtual_meter_id"> {
  return {
    site_id: values.subject_kind === "site" ? (values.site_id ?? null) : null,
    device_id: values.subject_kind === "device" ? (values.device_id ?? null) : null,
    virtual_meter_id:
      values.subject_kind === "virtual_meter" ? (values.virtual_meter_id ?? null) : null,
  };
}

/** POST /api/alert-rules (and the backtest's rule). */
export function ruleWriteFromForm(values: RuleFormValues): AlertRuleWrite {
  return {
    name: values.name.trim(),
    ...subjectFromForm(values),
    kind: values.kind,
    severity: values.severity,
    enabled: values.enabled,
    params: paramsFromForm(values),
    for_minutes: values.for_minutes ?? 0,
    quiet_hours: KINDS[values.kind].quietHours ? windowsFromRows(values.quiet_hours) : null,
  };
}

/** PATCH /api/alert-rules/{id}: everything but the subject and the kind, which stay. */
export function ruleUpdateFromForm(values: RuleFormValues): AlertRuleUpdate {
  const { name, severity, enabled, params, for_minutes, quiet_hours } = ruleWriteFromForm(values);
  return { name, severity, enabled, params, for_minutes, quiet_hours: quiet_hours ?? null };
}

/** The subject of a saved rule. */
export function subjectKindOf(
  rule: Pick<AlertRule, "site_id" | "device_id" | "virtual_meter_id">,
): SubjectKind {
  if (rule.device_id != null) return "device";
  if (rule.virtual_meter_id != null) return "virtual_meter";
  return "site";
}

/** The form's values for a saved rule, or a new one's defaults. */
export function formFromRule(rule?: AlertRule, deviceSiteId?: number): RuleFormValues {
  const defaults: RuleFormValues = {
    name: "",
    subject_kind: "site",
    kind: "demand_above",
    severity: "warning",
    enabled: true,
    for_minutes: 0,
    quiet_hours: [],
    schedule: [{ days: ["mon", "tue", "wed", "thu", "fri"], start: "07:00", end: "18:00" }],
    ...PARAM_DEFAULTS,
  };
  if (!rule) return defaults;
  const params: Partial<RuleFormValues> = {};
  for (const [name, value] of Object.entries(rule.params)) {
    if (!(PARAM_NAMES as readonly string[]).includes(name)) continue;
    if (name === "schedule")
      params.schedule = rowsFromWindows(value as Parameters<typeof rowsFromWindows>[0]);
    else (params as Record<string, unknown>)[name] = value;
  }
  return {
    ...defaults,
    ...params,
    name: rule.name,
    subject_kind: subjectKindOf(rule),
    site_id: rule.site_id ?? deviceSiteId ?? null,
    device_id: rule.device_id,
    virtual_meter_id: rule.virtual_meter_id,
    kind: rule.kind,
    severity: rule.severity,
    enabled: rule.enabled,
    for_minutes: rule.for_minutes,
    quiet_hours: rowsFromWindows(rule.quiet_hours),
  };
}

/** A 422's field, as the form names it: `params.threshold` → `threshold`,
 * `quiet_hours.windows` → `quiet_hours`, the backtest's `rule.name` → `name`. */
export function formFieldOf(loc: readonly unknown[]): string | null {
  const parts = loc
    .slice(1)
    .flatMap((part) => (typeof part === "string" ? part.split(".") : [String(part)]));
  if (parts[0] === "rule") parts.shift();
  if (parts[0] === "params" && parts[1]) return parts[1];
  return parts[0] ?? null;
}

/**
 * Rewrite a failed request's 422 locations onto the form's flat fields (in place), so
 * `applyServerErrors` puts `params.threshold`'s message under the threshold field.
 */
export function flattenRuleErrors(error: unknown): unknown {
  if (!error || typeof error !== "object" || !("body" in error)) return error;
  const body = error.body;
  if (!body || typeof body !== "object" || !("detail" in body) || !Array.isArray(body.detail))
    return error;
  for (const item of body.detail as { loc?: unknown[] }[]) {
    if (!Array.isArray(item.loc) || item.loc[0] !== "body") continue;
    const field = formFieldOf(item.loc);
    if (field) item.loc = ["body", field];
  }
  return error;
}
