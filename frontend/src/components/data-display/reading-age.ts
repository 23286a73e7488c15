/** How fresh a device's last reading is: the colour rule of the Sites page and the dashboard. */

export type ReadingAgeStatus = "fresh" | "stale" | "old" | "none";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** green < 15 min, orange < 24 h, red older (or no reading at all). */
export function readingAgeStatus(
  lastReadingAt: string | null | undefined,
  now: number,
): ReadingAgeStatus {
  if (!lastReadingAt) return "none";
  const at = Date.parse(lastReadingAt);
  if (Number.isNaN(at)) return "none";
  const age = now - at;
  if (age < 15 * MINUTE) return "fresh";
  if (age < DAY) return "stale";
  return "old";
}

export const readingAgeColors: Record<ReadingAgeStatus, string> = {
  fresh: "green",
  stale: "orange",
  old: "red",
  none: "red",
};

/** "just now", "4 min ago", "3 h ago", "2 d ago"; a reading from the future is "just now". */
export function formatAge(lastReadingAt: string | null | undefined, now: number): string {
  if (!lastReadingAt) return "no readings";
  const at = Date.parse(lastReadingAt);
  if (Number.isNaN(at)) return "no readings";
  const age = Math.max(0, now - at);
  if (age < MINUTE) return "just now";
  if (age < HOUR) return `${Math.floor(age / MINUTE)} min ago`;
  if (age < DAY) {
    const hours = Math.floor(age / HOUR);
    const minutes = Math.floor((age % HOUR) / MINUTE);
    return hours < 6 && minutes > 0 ? `${hours} h ${minutes} min ago` : `${hours} h ago`;
  }
  const days = Math.floor(age / DAY);
  return days === 1 ? "1 day ago" : `${days} days ago`;
}
