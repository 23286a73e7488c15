import { describe, expect, it } from "vitest";
import type { Device } from "@/features/sites";
import type { PowerTrace } from "../../lib/power-series";
import { powerOption, powerSubtitle } from "./power-option";
import { mergedGaps } from "./power-series-options";
import type { Trace } from "./power-series-options";
import { powerTooltip } from "./power-tooltip";

const H = 3_600_000;

function traceOf(name: string, trace: Partial<PowerTrace>, color = "#1668dc"): Trace {
  const device = { id: name.length, name } as Device;
  return { device, color, trace: { points: [], gaps: [], count: 0, ...trace } };
}

const meter = traceOf("Main <meter>", {
  points: [
    [0, 10, 9, 11],
    [H, null, null, null],
    [3 * H, 12, 11, 14],
  ],
  gaps: [[H, 3 * H]],
  count: 2,
});

type LineSeries = { name: string; data: unknown[]; stack?: string; markArea?: { data: unknown } };

function seriesOf(traces: Trace[], single: boolean): LineSeries[] {
  return powerOption(traces, single).series as LineSeries[];
}

describe("powerOption", () => {
  it("draws one device as a min line, a max − min band stacked on it and the avg line", () => {
    const series = seriesOf([meter], true);
    expect(series.map((s) => s.name)).toEqual(["min", "Min–max", "Main <meter>"]);
    expect(series[0]!.data).toEqual([
      [0, 9],
      [H, null],
      [3 * H, 11],
    ]);
    expect(series[1]!.data).toEqual([
      [0, 2],
      [H, null],
      [3 * H, 3],
    ]);
    expect(series[1]!.stack).toBe("band");
    expect(series[2]!.data).toEqual([
      [0, 10],
      [H, null],
      [3 * H, 12],
    ]);
    expect(series[2]!.markArea!.data).toEqual([[{ xAxis: H, name: "No data" }, { xAxis: 3 * H }]]);
    expect(powerOption([meter], true).legend).toMatchObject({ data: ["Main <meter>", "Min–max"] });
  });

  it("draws several devices as one avg line each, the gap markers on the first", () => {
    const other = traceOf("PV", { points: [[0, 3, 3, 3]], count: 1 }, "#13a8a8");
    const series = seriesOf([meter, other], false);
    expect(series.map((s) => s.name)).toEqual(["Main <meter>", "PV"]);
    expect(series[1]!.data).toEqual([[0, 3]]);
    expect(series[0]!.markArea!.data).toEqual([
      [{ xAxis: H, name: "No data: Main <meter>" }, { xAxis: 3 * H }],
    ]);
    expect(series[1]!.markArea).toBeUndefined();
    const option = powerOption([meter, other], false);
    expect(option.color).toEqual(["#1668dc", "#13a8a8"]);
    expect(option.legend).toMatchObject({ data: ["Main <meter>", "PV"] });
  });
});

describe("mergedGaps", () => {
  it("shows a gap every device has once, and names the devices of the others", () => {
    const a = traceOf("A", {
      gaps: [
        [0, H],
        [2 * H, 3 * H],
      ],
    });
    const b = traceOf("B", { gaps: [[0, H]] });
    expect(mergedGaps([a, b])).toEqual([
      [{ xAxis: 0, name: "No data" }, { xAxis: H }],
      [{ xAxis: 2 * H, name: "No data: A" }, { xAxis: 3 * H }],
    ]);
  });
});

describe("powerTooltip", () => {
  const at = (dataIndex: number, seriesIndex = 0) => ({
    seriesIndex,
    dataIndex,
    color: "#000",
    axisValue: Date.UTC(2026, 4, 1, 10, 15),
  });

  it("gives one device's average with its min and max", () => {
    const html = powerTooltip([meter], true)([at(2)]);
    expect(html).toContain("Average <b>12.0 kW</b>");
    expect(html).toContain("min 11.0 · max 14.0 kW");
  });

  it("gives each device's average, its name escaped, and skips a break in the line", () => {
    const html = powerTooltip([meter], false)([at(0)]);
    expect(html).toContain("Main &#60;meter&#62; <b>10.0 kW</b>");
    expect(powerTooltip([meter], false)([at(1)]).split("<br/>")).toHaveLength(1);
    expect(powerTooltip([meter], false)([])).toBe("");
  });
});

describe("powerSubtitle", () => {
  it.each([
    [true, 900, "Average with min–max band · 15 min buckets · drag or scroll to zoom"],
    [false, 3600, "Average power per device · 1 h buckets · drag or scroll to zoom"],
    [false, undefined, "Average power per device · drag or scroll to zoom"],
  ])("single %s, bucket %s s: %s", (single, bucket, expected) => {
    expect(powerSubtitle(single, bucket)).toBe(expected);
  });
});
