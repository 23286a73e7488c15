import { describe, expect, it } from "vitest";
import {
  anchorOf,
  cellTestId,
  gridCellOf,
  gridPointOf,
  isGridProblem,
  ProblemIndex,
  problemsOf,
} from "./problems";

describe("validation messages → grid cells", () => {
  it("maps 'season S, DAY HH:MM: …' to the cell of that half-hour", () => {
    expect(gridPointOf("season high, mon 06:00: covered by peak and standard")).toEqual({
      season: "high",
      day: "mon",
      minute: 360,
    });
    expect(gridCellOf("season high, mon 06:00: covered by peak and standard")).toEqual({
      season: "high",
      day: "mon",
      time: "06:00",
    });
    expect(gridCellOf("season low, sat 19:45: covered by no period")).toEqual({
      season: "low",
      day: "sat",
      time: "19:30",
    });
    expect(gridCellOf("season all year, sun 00:10: covered by no period")).toMatchObject({
      season: "all year",
    });
    expect(gridCellOf("season high, period peak has no rate")).toBeNull();
    expect(gridCellOf("month 5 is in seasons high and low")).toBeNull();
    expect(cellTestId("high", "mon", "06:00")).toBe("cell-high-mon-06:00");
  });

  it("reads problems from a report or a 422 and strips the body prefix", () => {
    const problems = problemsOf([
      {
        loc: ["body", "versions", 0, "periods", 3],
        msg: "season high, mon 06:00: covered by peak and standard",
        type: "tariff_invalid",
      },
      {
        loc: ["body", "versions", 0, "energy_rates", 2, "rate"],
        msg: "Input should be greater than or equal to 0",
        type: "x",
      },
      { loc: ["body", "name"], msg: "Value error, bad", type: "value_error" },
      "junk",
    ]);
    expect(problems).toEqual([
      { path: "versions.0.periods.3", msg: "season high, mon 06:00: covered by peak and standard" },
      { path: "versions.0.energy_rates.2.rate", msg: "Input should be greater than or equal to 0" },
      { path: "name", msg: "bad" },
    ]);
    expect(isGridProblem(problems[0]!, 0)).toBe(true);
    expect(isGridProblem(problems[0]!, 1)).toBe(false);
    expect(isGridProblem(problems[1]!, 0)).toBe(false);
  });

  it("shows each problem at the nearest place the editor has", () => {
    expect(anchorOf("versions.0.periods.3")).toBe("versions.0.periods.3");
    expect(anchorOf("versions.0.periods.3.start")).toBe("versions.0.periods.3.start");
    expect(anchorOf("versions.1.energy_rates.2.blocks.1.rate")).toBe(
      "versions.1.energy_rates.2.blocks",
    );
    expect(anchorOf("versions.0.seasons")).toBe("versions.0.seasons");
    expect(anchorOf("public_holidays.calendar")).toBe("public_holidays.calendar");
    expect(anchorOf("public_holidays.overrides.0.date")).toBe("public_holidays.overrides.0");
    expect(anchorOf("versions.0.reactive_charge.rate")).toBe("versions.0.reactive_charge.rate");
    expect(anchorOf("something.else")).toBe("");
    expect(anchorOf("")).toBe("");

    const index = new ProblemIndex([
      { path: "versions.0.energy_rates", msg: "season high, period peak has no rate" },
      { path: "versions.0.periods", msg: "season low, sun 00:00: covered by no period" },
      { path: "versions.1.effective_from", msg: "versions overlap: …" },
    ]);
    expect(index.missingRate(0, "high", "peak")).toBe(true);
    expect(index.missingRate(0, "low", "peak")).toBe(false);
    expect(index.countUnder("versions.0")).toBe(2);
    expect(index.grid(0).map((p) => p.msg)).toEqual([
      "season low, sun 00:00: covered by no period",
    ]);
    expect(index.at("versions.1.effective_from")).toEqual(["versions overlap: …"]);
  });
});
