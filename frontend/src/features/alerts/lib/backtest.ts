/** The backtest: its sentence, and its chart (the watched series, threshold, clear, episodes). */
import type { CsvTable } from "@/components/charts/csv";
import type { ChartOption } from "@/components/charts/echarts";
import type { BacktestResult } from "../types";

export const BACKTEST_DAYS = 30;

/** "On the last 30 days this rule would have fired 3 times" */
export function backtestSentence(fired: number, days = BACKTEST_DAYS): string {
  const times = fired === 0 ? "never" : fired === 1 ? "once" : `${fired} times`;
  return fired === 0
    ? `On the last ${days} days this rule would never have fired`
    : `On the last ${days} days this rule would have fired ${times}`;
}

const SERIES_COLOR = "#1677ff";
const THRESHOLD_COLOR = "#e5484d";
const CLEAR_COLOR = "#30a46c";

/** A constant line across the series' span (no markLine component needed). */
function level(name: string, value: number, times: readonly string[], color: string) {
  return {
    name,
    type: "line" as const,
    showSymbol: false,
    silent: true,
    lineStyle: { type: "dashed" as const, color, width: 1.5 },
    itemStyle: { color },
    data: [
      [times[0], value],
      [times[times.length - 1], value],
    ],
  };
}

/** The chart: the values the rule watches, its threshold and clear lines, the episodes shaded. */
export function backtestOption(result: BacktestResult): ChartOption | null {
  const { times, values, threshold, clear, unit } = result.series;
  if (times.length === 0) return null;
  const last = times[times.length - 1]!;
  const episodes = result.episodes.map((e) => [
    { xAxis: e.started_at, name: e.fired_at ? "fired" : "pending" },
    { xAxis: e.resolved_at ?? last },
  ]);
  return {
    tooltip: {
      trigger: "axis",
      valueFormatter: (value) =>
        typeof value === "number" ? `${value.toLocaleString()}${unit ? ` ${unit}` : ""}` : "—",
    },
    legend: { bottom: 0 },
    grid: { left: 56, right: 16, top: 24, bottom: 56 },
    xAxis: { type: "time" },
    yAxis: { type: "value", name: unit ?? undefined, scale: true },
    series: [
      {
        name: "Value",
        type: "line",
        showSymbol: false,
        connectNulls: false,
        lineStyle: { width: 1.5, color: SERIES_COLOR },
        itemStyle: { color: SERIES_COLOR },
        data: times.map((t, i) => [t, values[i] ?? null]),
        markArea: {
          silent: true,
          itemStyle: { color: "rgba(229, 72, 77, 0.15)" },
          data: episodes as never,
        },
      },
      ...(threshold !== null && threshold !== undefined
        ? [level("Threshold", threshold, times, THRESHOLD_COLOR)]
        : []),
      ...(clear !== null && clear !== undefined && clear !== threshold
        ? [level("Clears at", clear, times, CLEAR_COLOR)]
        : []),
    ],
  };
}

/** The chart's data as CSV: one row per point. */
export function backtestCsv(result: BacktestResult): CsvTable {
  const { times, values, threshold, clear, unit } = result.series;
  const suffix = unit ? `_${unit.toLowerCase()}` : "";
  return {
    header: ["time", `value${suffix}`, `threshold${suffix}`, `clear${suffix}`],
    rows: times.map((t, i) => [t, values[i] ?? null, threshold ?? null, clear ?? null]),
  };
}
