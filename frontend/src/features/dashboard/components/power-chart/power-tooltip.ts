/** The power chart's tooltip: the time, then avg (and min/max for one device) in kW. */
import { formatNumber } from "@/components/data-display/format";
import { formatWallClock } from "../../lib/wall-clock";
import { dot, escapeHtml } from "../chart-theme";
import type { Trace } from "./power-series-options";

/** What ECharts passes an axis tooltip's formatter, per series. */
type AxisParam = { seriesIndex: number; dataIndex: number; color: string; axisValue: number };

const MUTED = "color:#8c8c8c";

function singleDeviceLines(trace: Trace, dataIndex: number): string[] {
  const point = trace.trace.points[dataIndex];
  if (!point || point[1] === null) return [];
  const min = formatNumber(point[2], 1);
  const max = formatNumber(point[3], 1);
  return [
    `${dot(trace.color)}Average <b>${formatNumber(point[1], 1)} kW</b>`,
    `<span style="padding-left:14px;${MUTED}">min ${min} · max ${max} kW</span>`,
  ];
}

function deviceLines(traces: readonly Trace[], params: readonly AxisParam[]): string[] {
  const lines: string[] = [];
  for (const p of params) {
    const t = traces[p.seriesIndex];
    const value = t?.trace.points[p.dataIndex]?.[1];
    if (t && value !== null && value !== undefined) {
      lines.push(`${dot(t.color)}${escapeHtml(t.device.name)} <b>${formatNumber(value, 1)} kW</b>`);
    }
  }
  return lines;
}

/** The tooltip formatter (HTML) for the traces shown. */
export function powerTooltip(traces: readonly Trace[], single: boolean) {
  return (raw: unknown): string => {
    const params = (Array.isArray(raw) ? raw : [raw]) as AxisParam[];
    const first = params[0];
    if (!first) return "";
    const lines = [`<span style="${MUTED}">${formatWallClock(first.axisValue)}</span>`];
    if (single && traces[0]) lines.push(...singleDeviceLines(traces[0], first.dataIndex));
    else lines.push(...deviceLines(traces, params));
    return lines.join("<br/>");
  };
}
