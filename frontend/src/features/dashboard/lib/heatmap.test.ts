import { describe, expect, it } from "vitest";
import { pivotHourlyEnergy } from "./heatmap";

const point = (start: string, kwh: number | null) => ({ start, energy_import_kwh: kwh });

describe("pivotHourlyEnergy", () => {
  it("puts each hour in its local day's row and hour's column", () => {
    const data = pivotHourlyEnergy([
      point("2026-05-01T00:00:00+02:00", 10),
      point("2026-05-01T01:00:00+02:00", 12.5),
      point("2026-05-01T23:00:00+02:00", 20),
      point("2026-05-02T00:00:00+02:00", 8),
    ]);
    expect(data.days).toEqual(["2026-05-01", "2026-05-02"]);
    expect(data.cells).toEqual([
      [0, 0, 10],
      [1, 0, 12.5],
      [23, 0, 20],
      [0, 1, 8],
    ]);
    expect(data.max).toBe(20);
  });

  it("reads the local day from the point's own offset, not the browser's zone", () => {
    // 23:00 local on 1 May in Johannesburg is 21:00 UTC: still 1 May, hour 23
    const data = pivotHourlyEnergy([point("2026-05-01T23:00:00+02:00", 5)]);
    expect(data.days).toEqual(["2026-05-01"]);
    expect(data.cells).toEqual([[23, 0, 5]]);
  });

  it("keeps a gap (null) as an empty cell, but keeps the day's row", () => {
    const data = pivotHourlyEnergy([
      point("2026-05-01T00:00:00+02:00", null),
      point("2026-05-01T01:00:00+02:00", 3),
      point("2026-05-02T00:00:00+02:00", null),
    ]);
    expect(data.days).toEqual(["2026-05-01", "2026-05-02"]);
    expect(data.cells).toEqual([[1, 0, 3]]);
  });

  it("sums the repeated hour of an autumn DST night into one cell", () => {
    const data = pivotHourlyEnergy([
      point("2026-10-25T02:00:00+02:00", 4),
      point("2026-10-25T02:00:00+01:00", 6),
      point("2026-10-25T03:00:00+01:00", 5),
    ]);
    expect(data.cells).toEqual([
      [2, 0, 10],
      [3, 0, 5],
    ]);
  });

  it("is empty for no points", () => {
    expect(pivotHourlyEnergy([])).toEqual({ days: [], cells: [], max: 0 });
  });
});
