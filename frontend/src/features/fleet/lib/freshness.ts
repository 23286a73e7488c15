import { formatAge, readingAgeStatus } from "@/components/data-display/reading-age";

/** How recently a customer stack pushed: the Sites page's rule, plus "never" in grey. */
export type Freshness = "fresh" | "stale" | "old" | "never";

/** green < 15 min, orange < 24 h, red older, grey when the stack has never pushed. */
export function freshness(lastSeenAt: string | null | undefined, now: number): Freshness {
  const status = readingAgeStatus(lastSeenAt, now);
  return status === "none" ? "never" : status;
}

/** The antd Tag colour for a freshness. */
export const freshnessColors: Record<Freshness, string> = {
  fresh: "green",
  stale: "orange",
  old: "red",
  never: "default",
};

/** The tag colour for a last-seen time. */
export function freshnessColor(lastSeenAt: string | null | undefined, now: number): string {
  return freshnessColors[freshness(lastSeenAt, now)];
}

/** "4 min ago", "3 days ago", "never". */
export function lastSeenLabel(lastSeenAt: string | null | undefined, now: number): string {
  return lastSeenAt ? formatAge(lastSeenAt, now) : "never";
}

/** The colour of an ingest event's HTTP status: accepted, throttled, refused, failed. */
export function statusColor(statusCode: number): string {
  if (statusCode >= 200 && statusCode < 300) return "green";
  if (statusCode === 429) return "gold";
  if (statusCode >= 400 && statusCode < 500) return "orange";
  return "red";
}
