import { describe, expect, it } from "vitest";
import { addVersion, periodNames, rateRows, removeSeason, renameSeason } from "./draft-ops";
import { eskomTouTemplate, flatRateTemplate } from "./templates";

const today = new Date(2026, 10, 27);

describe("editing a version keeps its names consistent", () => {
  it("renaming a season renames its windows, rates and demand charges", () => {
    const version = eskomTouTemplate(today).versions[0]!;
    version.demand_charges[0]!.season = "high";
    const renamed = renameSeason(version, "high", "winter");
    expect(renamed.seasons.map((s) => s.name)).toEqual(["winter", "low"]);
    expect(renamed.periods.filter((p) => p.season === "winter")).toHaveLength(10);
    expect(renamed.energy_rates.filter((r) => r.season === "winter")).toHaveLength(3);
    expect(renamed.demand_charges[0]!.season).toBe("winter");
  });

  it("removing a season removes its windows and rates", () => {
    const version = removeSeason(eskomTouTemplate(today).versions[0]!, 0);
    expect(version.seasons.map((s) => s.name)).toEqual(["low"]);
    expect(version.periods.every((p) => p.season === "low")).toBe(true);
    expect(version.energy_rates.every((r) => r.season === "low")).toBe(true);
  });

  it("lists a rate row per season × period in use, and marks rates nothing uses", () => {
    const version = flatRateTemplate(today).versions[0]!;
    version.energy_rates.push({ season: "all year", period: "gone", rate: 1, blocks: null });
    expect(rateRows(version)).toEqual([
      { season: "all year", period: "all day", index: 0, unused: false },
      { season: "all year", period: "gone", index: 1, unused: true },
    ]);
    expect(periodNames(version, ["new"])).toEqual(["all day", "gone", "new"]);
  });

  it("a new version starts next month and ends the open-ended one there", () => {
    const { draft, index } = addVersion(eskomTouTemplate(today), today);
    expect(index).toBe(1);
    expect(draft.versions[0]!.effective_to).toBe("2026-12-01");
    expect(draft.versions[1]!.effective_from).toBe("2026-12-01");
    expect(draft.versions[1]!.effective_to).toBeNull();
    expect(draft.versions[1]!.periods).toEqual(draft.versions[0]!.periods);
    expect(draft.versions[1]!.periods).not.toBe(draft.versions[0]!.periods);

    const again = addVersion(draft, today).draft;
    expect(again.versions[1]!.effective_to).toBe("2027-01-01");
    expect(again.versions[2]!.effective_from).toBe("2027-01-01");
  });
});
