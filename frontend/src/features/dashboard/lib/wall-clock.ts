/**
 * The backend sends times in the site's zone with its offset ("2026-11-27T14:00:00+02:00").
 * Charts plot the site's wall clock whatever the browser's zone is: the local fields are
 * read as if they were UTC, and ECharts runs with `useUTC: true`.
 */
const LOCAL_FIELDS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?/;

export function wallClockMs(iso: string): number {
  const m = LOCAL_FIELDS.exec(iso);
  if (!m) return Number.NaN;
  return Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? 0),
  );
}

/** The local date and hour of a site-zone ISO time: ["2026-11-27", 14]. */
export function localDateAndHour(iso: string): [string, number] {
  return [iso.slice(0, 10), Number(iso.slice(11, 13))];
}

const wallClockFormat = new Intl.DateTimeFormat(undefined, {
  timeZone: "UTC",
  weekday: "short",
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** "Fri 27 Nov, 14:00" for a wall-clock ms value. */
export function formatWallClock(ms: number): string {
  return wallClockFormat.format(ms);
}
