/**
 * Instants entered as the site's wall clock: "2026-06-15T12:00" in Africa/Johannesburg →
 * "2026-06-15T12:00:00+02:00", whatever the browser's own time zone is.
 */

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** The zone's offset from UTC at the instant `ms`, in minutes (Johannesburg: +120). */
export function zoneOffsetMinutes(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(ms));
  const field = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    field("year"),
    field("month") - 1,
    field("day"),
    field("hour"),
    field("minute"),
    field("second"),
  );
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

/** "2026-06-15T12:00" read in `timeZone` → RFC 3339 with that zone's offset; null if invalid. */
export function siteInstant(local: string, timeZone: string): string | null {
  const m = LOCAL.exec(local);
  if (!m) return null;
  const wall = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? 0),
  );
  let offset = zoneOffsetMinutes(wall, timeZone);
  offset = zoneOffsetMinutes(wall - offset * 60_000, timeZone);
  const seconds = m[6] ?? "00";
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${seconds}${offsetText(offset)}`;
}

/** An instant as the site's wall clock for a datetime-local input: "2026-06-15T12:00". */
export function localInputValue(iso: string, timeZone: string): string {
  const ms = new Date(iso).getTime();
  const local = new Date(ms + zoneOffsetMinutes(ms, timeZone) * 60_000);
  return local.toISOString().slice(0, 16);
}

/** "2026-06-01T00:00:00+02:00" → "2026-06-01 00:00": the site's wall clock, as the API sends it. */
export function wallClock(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 16).replace("T", " ") : "—";
}
