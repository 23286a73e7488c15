import { describe, expect, it } from "vitest";
import { aBacktest } from "../testing/fixtures";
import { backtestCsv, backtestOption, backtestSentence } from "./backtest";

describe("backtest", () => {
  it("says how often the rule would have fired", () => {
    expect(backtestSentence(3)).toBe("On the last 30 days this rule would have fired 3 times");
    expect(backtestSentence(1)).toBe("On the last 30 days this rule would have fired once");
    expect(backtestSentence(0)).toBe("On the last 30 days this rule would never have fired");
  });

  it("draws the series, the threshold and clear lines, and shades the episodes", () => {
    const option = backtestOption(aBacktest)!;
    const series = option.series as {
      name: string;
      data: unknown[];
      markArea?: { data: unknown[] };
    }[];
    expect(series.map((s) => s.name)).toEqual(["Value", "Threshold", "Clears at"]);
    expect(series[0]!.data).toEqual([
      ["2026-06-10T07:30:00Z", 350],
      ["2026-06-10T08:00:00Z", 420],
      ["2026-06-10T08:30:00Z", null],
    ]);
    expect(series[1]!.data).toEqual([
      ["2026-06-10T07:30:00Z", 400],
      ["2026-06-10T08:30:00Z", 400],
    ]);
    expect(series[0]!.markArea!.data).toEqual([
      [{ xAxis: "2026-06-10T08:00:00Z", name: "fired" }, { xAxis: "2026-06-10T09:00:00Z" }],
    ]);
  });

  it("draws one line when the rule clears at its threshold, and nothing without data", () => {
    const same = { ...aBacktest, series: { ...aBacktest.series, clear: 400 } };
    expect((backtestOption(same)!.series as unknown[]).length).toBe(2);
    expect(backtestOption({ ...aBacktest, series: { ...aBacktest.series, times: [] } })).toBeNull();
  });

  it("exports the chart's data", () => {
    expect(backtestCsv(aBacktest)).toEqual({
      header: ["time", "value_kva", "threshold_kva", "clear_kva"],
      rows: [
        ["2026-06-10T07:30:00Z", 350, 400, 380],
        ["2026-06-10T08:00:00Z", 420, 400, 380],
        ["2026-06-10T08:30:00Z", null, 400, 380],
      ],
    });
  });
});
