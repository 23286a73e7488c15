import { wallClockMs } from "./wall-clock";

export type SeriesStats = {
  avg: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
};

/** One chart point: wall-clock x, then avg / min / max (all null = a break in the line). */
export type PowerPoint = [x: number, avg: number | null, min: number | null, max: number | null];

export type PowerTrace = {
  points: PowerPoint[];
  /** [from, to) in wall-clock ms where there is no data: shaded on the chart. */
  gaps: [number, number][];
  /** Points with a value. */
  count: number;
};

/** Shorter runs of empty buckets (a meter reporting every 5 min into 1-min buckets) are bridged. */
export const GAP_SECONDS = 15 * 60;

/**
 * Turn a columnar series into a line with real gaps. Buckets after `nowMs` (the
 * rest of today) are dropped. A run of empty buckets lasting at least `gapSeconds`
 * is a gap: it breaks the line (one null point) and is listed for a marker;
 * shorter runs are just skipped, so the line runs on.
 */
export function buildPowerTrace(
  times: readonly string[],
  stats: SeriesStats,
  bucketSeconds: number,
  nowMs: number,
  gapSeconds = GAP_SECONDS,
): PowerTrace {
  const points: PowerPoint[] = [];
  const gaps: [number, number][] = [];
  let count = 0;
  let runStart = -1;
  const bucketMs = bucketSeconds * 1000;

  /** A run of empty buckets [runStart, endIndex) ends; `trailing`: nothing came after it yet. */
  const closeRun = (endIndex: number, trailing: boolean) => {
    if (runStart < 0) return;
    const first = Date.parse(times[runStart] ?? "");
    const bucketEnd = Date.parse(times[endIndex - 1] ?? "") + bucketMs;
    // The bucket still running (now is inside it) only counts up to now.
    const last = trailing ? Math.min(bucketEnd, nowMs) : bucketEnd;
    if (last - first >= gapSeconds * 1000) {
      const from = wallClockMs(times[runStart] ?? "");
      gaps.push([from, from + (last - first)]);
      points.push([from, null, null, null]);
    }
    runStart = -1;
  };

  let i = 0;
  for (; i < times.length; i++) {
    const time = times[i] ?? "";
    if (Date.parse(time) > nowMs) break;
    const avg = stats.avg[i] ?? null;
    if (avg === null) {
      if (runStart < 0) runStart = i;
      continue;
    }
    closeRun(i, false);
    points.push([wallClockMs(time), avg, stats.min[i] ?? avg, stats.max[i] ?? avg]);
    count++;
  }
  closeRun(i, true);
  return { points, gaps, count };
}

/** How many of the series' buckets are in the past (not after `nowMs`). */
export function pastBuckets(times: readonly string[], nowMs: number): number {
  let n = 0;
  while (n < times.length && Date.parse(times[n] ?? "") <= nowMs) n++;
  return n;
}
