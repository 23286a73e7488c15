import { describe, expect, it } from "vitest";
import { dailyEnergy, dailyEnergyCsv, totalKwh } from "./daily-energy";

describe("dailyEnergy", () => {
  it("lines the meters' days up, a gap stays a gap", () => {
    const daily = dailyEnergy([
      {
        name: "Shop A",
        points: [
          { start: "2026-06-01T00:00:00+02:00", energy_import_kwh: 240 },
          { start: "2026-06-02T00:00:00+02:00", energy_import_kwh: null },
        ],
      },
      { name: "Shop B", points: [{ start: "2026-06-02T00:00:00+02:00", energy_import_kwh: 120 }] },
    ]);
    expect(daily).toEqual({
      days: ["2026-06-01", "2026-06-02"],
      series: [
        { name: "Shop A", values: [240, null] },
        { name: "Shop B", values: [null, 120] },
      ],
    });
    expect(totalKwh(daily)).toBe(360);
    expect(dailyEnergyCsv(daily)).toEqual({
      header: ["date", "Shop A (kWh)", "Shop B (kWh)"],
      rows: [
        ["2026-06-01", 240, null],
        ["2026-06-02", null, 120],
      ],
    });
  });

  it("is empty without meters", () => {
    expect(dailyEnergy([])).toEqual({ days: [], series: [] });
  });
});
