import { useMemo } from "react";
import { ChartCard } from "@/components/charts/ChartCard";
import type { ChartState } from "@/components/charts/ChartCard";
import { csvFileName } from "@/components/charts/csv";
import type { CsvTable } from "@/components/charts/csv";
import type { ChartOption } from "@/components/charts/echarts";
import { formatNumber } from "@/components/data-display/format";
import { useEnergy } from "../api/measurements";
import { addDays, daysBetween, formatDay } from "../lib/date-range";
import type { DateRange, PlainDate } from "../lib/date-range";
import { pivotHourlyEnergy } from "../lib/heatmap";
import type { HeatmapData } from "../lib/heatmap";
import { AXIS_LABEL, TOOLTIP_BASE } from "./chart-theme";

/** More days than this would make rows too thin to read: show the last ones. */
export const HEATMAP_MAX_DAYS = 62;
const CHART_HEIGHT = 340;
const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, "0"));
const COLORS = ["#fff7e6", "#ffd591", "#ffa940", "#fa541c", "#a8071a"];

type HeatmapChartProps = {
  scope: Parameters<typeof useEnergy>[0];
  scopeName: string;
  range: DateRange;
  today: PlainDate;
};

function heatmapOption(data: HeatmapData): ChartOption {
  const labels = data.days.map((d) => formatDay(d));
  return {
    animation: false,
    grid: { left: 8, right: 16, top: 8, bottom: 56, containLabel: true },
    tooltip: {
      ...TOOLTIP_BASE,
      formatter: (raw: unknown) => {
        const { value } = raw as { value: [number, number, number] };
        const [hour, day, kwh] = value;
        const next = String((hour + 1) % 24).padStart(2, "0");
        return `<div style="color:#8c8c8c">${labels[day] ?? ""}, ${HOURS[hour]}:00–${next}:00</div><b>${formatNumber(kwh, 1)} kWh</b> (avg ${formatNumber(kwh, 1)} kW)`;
      },
    },
    xAxis: {
      type: "category",
      data: HOURS,
      splitArea: { show: false },
      axisLabel: { ...AXIS_LABEL, interval: 1 },
      axisTick: { show: false },
      axisLine: { show: false },
    },
    yAxis: {
      type: "category",
      data: labels,
      inverse: true,
      // About one label per 16 px of the plot's height.
      axisLabel: { ...AXIS_LABEL, interval: Math.max(0, Math.ceil(labels.length / 16) - 1) },
      axisTick: { show: false },
      axisLine: { show: false },
    },
    visualMap: {
      type: "continuous",
      min: 0,
      max: Math.max(1, Math.ceil(data.max)),
      calculable: false,
      orient: "horizontal",
      left: "center",
      bottom: 0,
      itemWidth: 12,
      itemHeight: 180,
      text: [`${formatNumber(Math.ceil(data.max), 0)} kWh`, "0"],
      textStyle: { color: "#595959", fontSize: 11 },
      inRange: { color: COLORS },
      formatter: (value: unknown) => formatNumber(Number(value), 0),
    },
    series: [
      {
        type: "heatmap",
        data: data.cells,
        itemStyle: { borderColor: "#fff", borderWidth: 1 },
        emphasis: { itemStyle: { borderColor: "#262626", borderWidth: 1 } },
      },
    ],
  };
}

function heatmapCsv(data: HeatmapData): CsvTable {
  return {
    header: ["date", "hour", "energy_kwh"],
    rows: data.cells.map(([hour, day, kwh]) => [data.days[day] ?? "", hour, kwh]),
  };
}

/** When in the day the load is: a day × hour grid of hourly energy. */
export function HeatmapChart({ scope, scopeName, range, today }: HeatmapChartProps) {
  const shown: DateRange =
    daysBetween(range.start, range.end) > HEATMAP_MAX_DAYS
      ? { start: addDays(range.end, -HEATMAP_MAX_DAYS), end: range.end }
      : range;
  const live = shown.start <= today && today < shown.end;
  const energy = useEnergy(scope, shown, "hour", { live });
  const data = useMemo(
    () => (energy.data ? pivotHourlyEnergy(energy.data.points) : null),
    [energy.data],
  );
  const option = useMemo(
    () => (data && data.cells.length > 0 ? heatmapOption(data) : null),
    [data],
  );
  const csv = useMemo(() => (data ? heatmapCsv(data) : null), [data]);

  let state: ChartState = "ready";
  if (energy.isError) state = "error";
  else if (!data) state = "loading";
  else if (!option) state = "empty";

  return (
    <ChartCard
      title="Load by hour of day"
      subtitle={
        shown === range
          ? "kWh per hour (= average kW)"
          : `kWh per hour · the last ${HEATMAP_MAX_DAYS} days of the period`
      }
      testId="heatmap"
      exportId="heatmap"
      state={state}
      error={energy.error}
      emptyText="No energy recorded in this period"
      points={csv?.rows.length ?? 0}
      option={option}
      height={CHART_HEIGHT}
      csv={csv}
      csvFileName={csvFileName(scopeName, "hourly-energy", shown.start, shown.end)}
    />
  );
}
