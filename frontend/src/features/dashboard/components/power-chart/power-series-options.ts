/** The power chart's ECharts series: avg lines, the single device's min–max band, gap shading. */
import type { ChartMeter } from "../../types";
import type { ChartOption } from "@/components/charts/echarts";
import type { PowerTrace } from "../../lib/power-series";
import { withAlpha } from "../chart-theme";

/** One device's line on the chart. */
export type Trace = { device: ChartMeter; trace: PowerTrace; color: string };

type Series = NonNullable<ChartOption["series"]>;
type GapMark = [{ xAxis: number; name: string }, { xAxis: number }];

const GAP_AREA = {
  silent: true,
  itemStyle: { color: "rgba(250, 84, 28, 0.07)" },
  label: {
    show: true,
    position: "insideTop" as const,
    color: "#d4380d",
    fontSize: 11,
    distance: 4,
  },
};

/** One device: an invisible min line, the max − min band stacked on it, then the avg line. */
export function singleDeviceSeries({ trace, color, device }: Trace): Series {
  return [
    {
      name: "min",
      type: "line",
      data: trace.points.map((p) => [p[0], p[2]]),
      stack: "band",
      stackStrategy: "all",
      lineStyle: { opacity: 0 },
      symbol: "none",
      silent: true,
    },
    {
      name: "Min–max",
      type: "line",
      data: trace.points.map((p) => [p[0], p[2] !== null && p[3] !== null ? p[3] - p[2] : null]),
      stack: "band",
      stackStrategy: "all",
      lineStyle: { opacity: 0 },
      areaStyle: { color: withAlpha(color, 0.16) },
      itemStyle: { color: withAlpha(color, 0.3) },
      symbol: "none",
      silent: true,
    },
    {
      name: device.name,
      type: "line",
      data: trace.points.map((p) => [p[0], p[1]]),
      showSymbol: false,
      connectNulls: false,
      lineStyle: { width: 1.6, color },
      itemStyle: { color },
      markArea: {
        ...GAP_AREA,
        data: trace.gaps.map(([from, to]) => [{ xAxis: from, name: "No data" }, { xAxis: to }]),
      },
    },
  ];
}

/**
 * Devices often miss the same stretch (a site outage): one marker per distinct gap,
 * naming the devices unless all of them miss it.
 */
export function mergedGaps(traces: readonly Trace[]): GapMark[] {
  const gapNames = new Map<string, string[]>();
  for (const { device, trace } of traces) {
    for (const [from, to] of trace.gaps) {
      const key = `${from}|${to}`;
      gapNames.set(key, [...(gapNames.get(key) ?? []), device.name]);
    }
  }
  return [...gapNames].map(([key, names]) => {
    const [from = 0, to = 0] = key.split("|").map(Number);
    const label = names.length === traces.length ? "No data" : `No data: ${names.join(", ")}`;
    return [{ xAxis: from, name: label }, { xAxis: to }];
  });
}

/** Several devices: one avg line each; the gap markers ride on the first. */
export function deviceLinesSeries(traces: readonly Trace[]): Series {
  const allGaps = mergedGaps(traces);
  return traces.map(({ device, trace, color }, i) => ({
    name: device.name,
    type: "line" as const,
    data: trace.points.map((p) => [p[0], p[1]]),
    showSymbol: false,
    connectNulls: false,
    lineStyle: { width: 1.4, color },
    itemStyle: { color },
    ...(i === 0 ? { markArea: { ...GAP_AREA, data: allGaps as never } } : {}),
  }));
}
