/** Calendar days for the fleet charts: "the last 30 days" in a time zone, as API dates. */

import { supportedTimeZones } from "@/lib/timezones";

/** YYYY-MM-DD */
export type PlainDay = string;

/** `start` inclusive, `end` exclusive (the API's convention). */
export type DayRange = { start: PlainDay; end: PlainDay };

/** The calendar date of instant `now` in `timeZone` (UTC by default). */
export function dayIn(now: number, timeZone = "UTC"): PlainDay {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(new Date(now));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}

/** `day` moved by `days` (calendar arithmetic, no time zone involved). */
export function addDays(day: PlainDay, days: number): PlainDay {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The last `count` days up to and including today in `timeZone`. */
export function lastDays(count: number, now: number, timeZone = "UTC"): DayRange {
  const today = dayIn(now, timeZone);
  return { start: addDays(today, -(count - 1)), end: addDays(today, 1) };
}

/** "3 May" style label for a chart axis. */
export function shortDay(day: PlainDay): string {
  return new Intl.DateTimeFormat(undefined, {
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  }).format(new Date(`${day}T00:00:00Z`));
}

/** IANA zone names for the time zone picker (the browser's list, plus UTC which it omits). */
export function timeZoneOptions(extra: readonly string[] = []): string[] {
  return [...new Set([...extra, "UTC", ...supportedTimeZones()])];
}
