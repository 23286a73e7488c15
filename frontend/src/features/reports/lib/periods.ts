/**
 * Report periods as the API names them: a month "2026-11", an ISO week "2026-W48" (Monday to
 * Monday). "Today" is the browser's local date; the server checks the period against the
 * site's time zone (a 422 on the field says when it has not ended there yet).
 */

const DAY_MS = 86_400_000;

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** The local calendar date of `today` as a UTC midnight (date arithmetic without DST). */
function localDay(today: Date): Date {
  return new Date(Date.UTC(today.getFullYear(), today.getMonth(), today.getDate()));
}

function isoDate(day: Date): string {
  return `${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}`;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const WEEK = /^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/;

export function isMonth(value: unknown): value is string {
  return typeof value === "string" && MONTH.test(value);
}

/** "YYYY-MM" of the month `today` is in. */
export function currentMonth(today: Date = new Date()): string {
  return `${today.getFullYear()}-${pad(today.getMonth() + 1)}`;
}

/** "YYYY-MM" of the month before `today`'s: the newest month that has ended. */
export function lastMonth(today: Date = new Date()): string {
  const d = new Date(today.getFullYear(), today.getMonth() - 1, 1);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
}

/** "2026-11" → "November 2026". */
export function formatMonth(month: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(new Date(`${month}-01T00:00:00Z`));
}

/** The ISO week (`YYYY-Www`) of a UTC-midnight date. */
function isoWeekOfDay(day: Date): string {
  const weekday = (day.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(day.getTime() + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1;
  return `${year}-W${pad(week)}`;
}

/** The ISO week `today` (local date) is in: 2026-12-03 → "2026-W49". */
export function isoWeekOf(today: Date = new Date()): string {
  return isoWeekOfDay(localDay(today));
}

/** The ISO week before `today`'s: the newest week that has ended. */
export function lastWeek(today: Date = new Date()): string {
  return isoWeekOfDay(new Date(localDay(today).getTime() - 7 * DAY_MS));
}

export function isWeek(value: unknown): value is string {
  return typeof value === "string" && WEEK.test(value);
}

/** "2026-W48" → its local dates [Monday, next Monday). */
export function weekSpan(week: string): { start: string; end: string } {
  const [year, number] = week.split("-W").map(Number) as [number, number];
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday1 = jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * DAY_MS;
  const start = new Date(monday1 + (number - 1) * 7 * DAY_MS);
  return { start: isoDate(start), end: isoDate(new Date(start.getTime() + 7 * DAY_MS)) };
}

const SHORT_DATE = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});

/** Local dates [start, end) → "23 Nov 2026 – 29 Nov 2026" (the end is exclusive). */
export function formatSpan(start: string, end: string): string {
  const last = new Date(new Date(`${end}T00:00:00Z`).getTime() - DAY_MS);
  return `${SHORT_DATE.format(new Date(`${start}T00:00:00Z`))} – ${SHORT_DATE.format(last)}`;
}

/** "2026-W48" → "Week 48, 2026 (23 Nov 2026 – 29 Nov 2026)". */
export function formatWeek(week: string): string {
  const [year, number] = week.split("-W");
  const { start, end } = weekSpan(week);
  return `Week ${Number(number)}, ${year} (${formatSpan(start, end)})`;
}

/** A run's or report's period label ("2026-11", "2026-W48") for people. */
export function formatPeriodLabel(label: string): string {
  if (MONTH.test(label)) return formatMonth(label);
  if (WEEK.test(label)) {
    const [year, number] = label.split("-W");
    return `Week ${Number(number)}, ${year}`;
  }
  return label;
}

/** The `count` weeks that ended last before `today`, newest first: what "send now" offers. */
export function recentWeeks(count: number, today: Date = new Date()): string[] {
  const day = localDay(today).getTime();
  return Array.from({ length: count }, (_, i) =>
    isoWeekOfDay(new Date(day - (i + 1) * 7 * DAY_MS)),
  );
}
