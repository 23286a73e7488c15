/** The power chart's ECharts option: a zoomable time axis in kW, its legend and tooltip. */
import type { ChartOption } from "@/components/charts/echarts";
import {
  AXIS_LABEL,
  axisNumber,
  LEGEND,
  SPLIT_LINE,
  TIME_AXIS_LABELS,
  TOOLTIP_BASE,
} from "../chart-theme";
import { deviceLinesSeries, singleDeviceSeries } from "./power-series-options";
import type { Trace } from "./power-series-options";
import { powerTooltip } from "./power-tooltip";

/** One device (`single`): avg line with a min–max band; else one avg line per device. */
export function powerOption(traces: readonly Trace[], single: boolean): ChartOption {
  const series = single && traces[0] ? singleDeviceSeries(traces[0]) : deviceLinesSeries(traces);
  return {
    useUTC: true,
    animationDuration: 300,
    color: traces.map((t) => t.color),
    grid: { left: 8, right: 16, top: 36, bottom: 60, containLabel: true },
    legend: {
      ...LEGEND,
      data: single ? [traces[0]?.device.name ?? "", "Min–max"] : traces.map((t) => t.device.name),
    },
    tooltip: {
      ...TOOLTIP_BASE,
      trigger: "axis",
      axisPointer: { type: "line", lineStyle: { color: "#8c8c8c", type: "dashed" } },
      formatter: powerTooltip(traces, single),
    },
    xAxis: {
      type: "time",
      axisLabel: { ...AXIS_LABEL, hideOverlap: true, formatter: TIME_AXIS_LABELS },
      axisLine: { lineStyle: { color: "#d9d9d9" } },
      splitLine: { show: false },
    },
    yAxis: {
      type: "value",
      name: "kW",
      nameTextStyle: { ...AXIS_LABEL, align: "right" },
      axisLabel: { ...AXIS_LABEL, formatter: axisNumber },
      splitLine: SPLIT_LINE,
      scale: false,
    },
    dataZoom: [
      { type: "inside", filterMode: "none" },
      { type: "slider", filterMode: "none", height: 22, bottom: 10, brushSelect: false },
    ],
    series,
  };
}

/** "Average with min–max band · 15 min buckets · drag or scroll to zoom". */
export function powerSubtitle(single: boolean, bucket: number | undefined): string {
  return [
    single ? "Average with min–max band" : "Average power per device",
    bucket ? `${bucket >= 3600 ? `${bucket / 3600} h` : `${bucket / 60} min`} buckets` : null,
    "drag or scroll to zoom",
  ]
    .filter(Boolean)
    .join(" · ");
}
