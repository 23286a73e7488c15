/**
 * Local calendar dates of a site for the metering tree's range: `end` is
 * exclusive, as the API wants it; the picker shows the last day inclusive.
 */

/** [start, end) as "YYYY-MM-DD" local dates of the site. */
export type PlainRange = { start: string; end: string };

const DAY_MS = 86_400_000;

/** The calendar date it is in `timeZone` at `now`. */
export function localToday(timeZone: string, now: number): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(now);
}

export function shiftDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The last `days` days up to and including `today`. */
export function lastDays(today: string, days: number): PlainRange {
  return { start: shiftDays(today, 1 - days), end: shiftDays(today, 1) };
}

/** The picker's inclusive [first, last] as the API's [start, end). */
export function fromInclusive(first: string, last: string): PlainRange {
  return first <= last
    ? { start: first, end: shiftDays(last, 1) }
    : { start: last, end: shiftDays(first, 1) };
}
