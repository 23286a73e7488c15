import { describe, expect, it } from "vitest";
import { changePercent, energyRows, total } from "./energy";

const p = (start: string, kwh: number | null) => ({
  start,
  energy_import_kwh: kwh,
  energy_export_kwh: kwh === null ? null : 0,
});

describe("energyRows", () => {
  it("lines the previous period up day by day", () => {
    const rows = energyRows(
      [p("2026-05-08T00:00:00+02:00", 10), p("2026-05-09T00:00:00+02:00", null)],
      [p("2026-05-06T00:00:00+02:00", 8), p("2026-05-07T00:00:00+02:00", 9)],
    );
    expect(rows).toEqual([
      {
        date: "2026-05-08",
        importKwh: 10,
        exportKwh: 0,
        previousDate: "2026-05-06",
        previousImportKwh: 8,
        previousExportKwh: 0,
      },
      {
        date: "2026-05-09",
        importKwh: null,
        exportKwh: null,
        previousDate: "2026-05-07",
        previousImportKwh: 9,
        previousExportKwh: 0,
      },
    ]);
    expect(total(rows.map((r) => r.importKwh))).toBe(10);
    expect(total([null, undefined])).toBeNull();
  });

  it("compares like for like, and not at all against a mostly empty period", () => {
    const rows = energyRows(
      [p("2026-05-08T00:00:00+02:00", 110), p("2026-05-09T00:00:00+02:00", 50)],
      [p("2026-05-06T00:00:00+02:00", 100), p("2026-05-07T00:00:00+02:00", null)],
    );
    expect(changePercent(rows)).toBeCloseTo(10);
    const sparse = energyRows(
      [1, 2, 3].map((d) => p(`2026-05-0${d}T00:00:00+02:00`, 100)),
      [
        p("2026-04-28T00:00:00+02:00", null),
        p("2026-04-29T00:00:00+02:00", null),
        p("2026-04-30T00:00:00+02:00", 5),
      ],
    );
    expect(changePercent(sparse)).toBeNull();
  });
});
