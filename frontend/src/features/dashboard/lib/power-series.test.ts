import { describe, expect, it } from "vitest";
import { buildPowerTrace } from "./power-series";
import { wallClockMs } from "./wall-clock";

/** Times every `minutes` from 10:00 local (+02:00) on 1 May 2026. */
function times(n: number, minutes: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const total = 10 * 60 + i * minutes;
    const hh = String(Math.floor(total / 60)).padStart(2, "0");
    const mm = String(total % 60).padStart(2, "0");
    return `2026-05-01T${hh}:${mm}:00+02:00`;
  });
}
const FAR_FUTURE = Date.UTC(2030, 0, 1);

describe("wallClockMs", () => {
  it("plots the site's wall clock, whatever the offset", () => {
    expect(wallClockMs("2026-05-01T10:15:00+02:00")).toBe(Date.UTC(2026, 4, 1, 10, 15));
    expect(wallClockMs("2026-05-01T10:15:00.5-05:00")).toBe(Date.UTC(2026, 4, 1, 10, 15));
  });
});

describe("buildPowerTrace", () => {
  it("bridges short runs of empty buckets (5-minute readings in 1-minute buckets)", () => {
    const t = times(11, 1);
    const avg = [1, null, null, null, null, 2, null, null, null, null, 3];
    const trace = buildPowerTrace(t, { avg, min: avg, max: avg }, 60, FAR_FUTURE);
    expect(trace.points.map((p) => p[1])).toEqual([1, 2, 3]);
    expect(trace.gaps).toEqual([]);
    expect(trace.count).toBe(3);
  });

  it("breaks the line and marks a gap of 15 minutes or more", () => {
    const t = times(6, 15);
    const avg = [1, 2, null, null, 5, 6];
    const trace = buildPowerTrace(t, { avg, min: avg, max: avg }, 900, FAR_FUTURE);
    expect(trace.points.map((p) => p[1])).toEqual([1, 2, null, 5, 6]);
    expect(trace.gaps).toEqual([[wallClockMs(t[2]!), wallClockMs(t[4]!)]]);
  });

  it("drops the future and does not call the bucket still running a gap", () => {
    const t = times(8, 15); // 10:00 … 11:45 local = 08:00Z … 09:45Z
    const avg = [1, 2, 3, null, null, null, null, null];
    const now = Date.UTC(2026, 4, 1, 8, 50); // 10:50 local: buckets from 11:00 are future
    const trace = buildPowerTrace(t, { avg, min: avg, max: avg }, 900, now);
    expect(trace.points.map((p) => p[1])).toEqual([1, 2, 3]);
    expect(trace.gaps).toEqual([]); // 10:45 – 10:50 is only 5 minutes without data
  });

  it("marks a meter that went quiet as a gap up to now", () => {
    const t = times(8, 15);
    const avg = [1, null, null, null, null, null, null, null];
    const now = Date.UTC(2026, 4, 1, 8, 40); // 10:40 local
    const trace = buildPowerTrace(t, { avg, min: avg, max: avg }, 900, now);
    expect(trace.gaps).toEqual([[wallClockMs(t[1]!), wallClockMs(t[1]!) + 25 * 60_000]]);
  });
});
