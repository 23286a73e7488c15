/**
 * Date ranges for the dashboard, as local calendar dates of the SITE's time zone
 * (the backend's `start`/`end` are local dates; `end` is exclusive). Pure: "now"
 * and the zone are arguments, so the edges (just before / after local midnight,
 * month and year ends, leap days) are testable.
 */

/** A calendar date, "YYYY-MM-DD". */
export type PlainDate = string;

/** [start, end): `end` is the day after the last day shown. */
export type DateRange = { start: PlainDate; end: PlainDate };

export const PRESETS = [
  { key: "today", label: "Today" },
  { key: "last7", label: "Last 7 days" },
  { key: "last30", label: "Last 30 days" },
  { key: "thisMonth", label: "This month" },
  { key: "lastMonth", label: "Last month" },
  { key: "thisYear", label: "This year" },
] as const;

export type PresetKey = (typeof PRESETS)[number]["key"];
export const DEFAULT_PRESET: PresetKey = "last7";
/** The backend refuses spans over 3 × 366 days. */
export const MAX_SPAN_DAYS = 3 * 366;

const DAY_MS = 86_400_000;
const PLAIN_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isPresetKey(value: unknown): value is PresetKey {
  return PRESETS.some((p) => p.key === value);
}

function utcMs(date: PlainDate): number {
  const match = PLAIN_DATE.exec(date);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

function fromUtcMs(ms: number): PlainDate {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A real calendar date in YYYY-MM-DD form (not 2026-02-30). */
export function isPlainDate(value: unknown): value is PlainDate {
  if (typeof value !== "string" || !PLAIN_DATE.test(value)) return false;
  return fromUtcMs(utcMs(value)) === value;
}

export function addDays(date: PlainDate, days: number): PlainDate {
  return fromUtcMs(utcMs(date) + days * DAY_MS);
}

/** Whole days from `start` to `end` (the length of [start, end)). */
export function daysBetween(start: PlainDate, end: PlainDate): number {
  return Math.round((utcMs(end) - utcMs(start)) / DAY_MS);
}

function firstOfMonth(date: PlainDate, monthsAhead = 0): PlainDate {
  const d = new Date(utcMs(date));
  return fromUtcMs(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + monthsAhead, 1));
}

/** Wall-clock fields of an instant in a time zone. */
function zonedParts(instant: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(instant));
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: get("year"),
    month: get("month"),
    day: get("day"),
    hour: get("hour") % 24,
    minute: get("minute"),
    second: get("second"),
  };
}

/** The calendar date it is in `timeZone` at `now`. */
export function todayIn(timeZone: string, now: Date | number): PlainDate {
  const { year, month, day } = zonedParts(typeof now === "number" ? now : now.getTime(), timeZone);
  return fromUtcMs(Date.UTC(year, month - 1, day));
}

/** The zone's offset from UTC at `instant`, in minutes (Johannesburg: +120). */
export function zoneOffsetMinutes(instant: number, timeZone: string): number {
  const p = zonedParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60_000);
}

/** The instant (ms) local midnight starts `date` in `timeZone`. */
export function zonedMidnight(date: PlainDate, timeZone: string): number {
  const guess = utcMs(date);
  const first = guess - zoneOffsetMinutes(guess, timeZone) * 60_000;
  const second = guess - zoneOffsetMinutes(first, timeZone) * 60_000;
  return second;
}

/** The dates a preset covers, `today` being the site's current local date. */
export function presetRange(preset: PresetKey, today: PlainDate): DateRange {
  const tomorrow = addDays(today, 1);
  switch (preset) {
    case "today":
      return { start: today, end: tomorrow };
    case "last7":
      return { start: addDays(today, -6), end: tomorrow };
    case "last30":
      return { start: addDays(today, -29), end: tomorrow };
    case "thisMonth":
      return { start: firstOfMonth(today), end: tomorrow };
    case "lastMonth":
      return { start: firstOfMonth(today, -1), end: firstOfMonth(today) };
    case "thisYear":
      return { start: `${today.slice(0, 4)}-01-01`, end: tomorrow };
  }
}

/** The equal-length period just before `range`. */
export function previousPeriod(range: DateRange): DateRange {
  const days = daysBetween(range.start, range.end);
  return { start: addDays(range.start, -days), end: range.start };
}

export type RangeSelection =
  { preset: PresetKey; range: DateRange } | { preset: "custom"; range: DateRange };

/**
 * The range from the URL: `range=<preset>`, or `range=custom&from=…&to=…`
 * (`to` inclusive, as people read it). Anything invalid falls back to the default preset.
 */
export function resolveRange(
  params: { range?: string | null; from?: string | null; to?: string | null },
  today: PlainDate,
): RangeSelection {
  const { range, from, to } = params;
  if (range === "custom" && isPlainDate(from) && isPlainDate(to) && from <= to) {
    const end = addDays(to, 1);
    if (daysBetween(from, end) <= MAX_SPAN_DAYS)
      return { preset: "custom", range: { start: from, end } };
  }
  const preset = isPresetKey(range) ? range : DEFAULT_PRESET;
  return { preset, range: presetRange(preset, today) };
}

const shortDate = new Intl.DateTimeFormat(undefined, {
  timeZone: "UTC",
  day: "numeric",
  month: "short",
  year: "numeric",
});

/** "1 Nov 2026 – 7 Nov 2026" (inclusive last day), or one date for a single day. */
export function formatRange(range: DateRange): string {
  const first = shortDate.format(utcMs(range.start));
  const lastDay = addDays(range.end, -1);
  if (lastDay <= range.start) return first;
  return `${first} – ${shortDate.format(utcMs(lastDay))}`;
}

/** A date for axis labels: "Mon 3 Nov" (or "Nov 2026" for months). */
export function formatDay(date: PlainDate, style: "day" | "month" = "day"): string {
  const options: Intl.DateTimeFormatOptions =
    style === "month"
      ? { timeZone: "UTC", month: "short", year: "numeric" }
      : { timeZone: "UTC", weekday: "short", day: "numeric", month: "short" };
  return new Intl.DateTimeFormat(undefined, options).format(utcMs(date));
}

/** Does the user's locale put the day before the month ("21 Nov") or after ("Nov 21")? */
export function dayBeforeMonth(locale?: string): boolean {
  const parts = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short" }).formatToParts(
    Date.UTC(2026, 10, 21),
  );
  return parts.findIndex((p) => p.type === "day") < parts.findIndex((p) => p.type === "month");
}
