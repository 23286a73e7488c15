import { brand } from "@/config/brand";
import { formatAdaptive } from "@/components/data-display/format";
import { dayBeforeMonth } from "../lib/date-range";

/** Line colours, one per device (the first is the brand colour). */
export const PALETTE = [
  brand.primaryColor,
  "#13a8a8",
  "#fa8c16",
  "#722ed1",
  "#eb2f96",
  "#52c41a",
  "#2f54eb",
  "#faad14",
];

export const AXIS_LABEL = { color: "#595959", fontSize: 11 };
export const SPLIT_LINE = { lineStyle: { color: "#f0f0f0" } };
export const TOOLTIP_BASE = {
  backgroundColor: "rgba(255,255,255,0.97)",
  borderColor: "#d9d9d9",
  textStyle: { color: "#262626", fontSize: 12 },
  extraCssText: "box-shadow: 0 4px 12px rgba(0,0,0,0.12);",
};

/** Axis numbers: thousands separators, decimals only where the steps need them (2.5). */
export function axisNumber(value: number): string {
  return formatAdaptive(value);
}

/** Time axis labels, by the level of the tick (ECharts picks it). */
export const TIME_AXIS_LABELS = {
  year: "{yyyy}",
  month: "{MMM} {yyyy}",
  day: dayBeforeMonth() ? "{d} {MMM}" : "{MMM} {d}",
  hour: "{HH}:{mm}",
  minute: "{HH}:{mm}",
  second: "{HH}:{mm}:{ss}",
  millisecond: "{HH}:{mm}:{ss}",
  none: "{yyyy}-{MM}-{dd} {HH}:{mm}",
};

/** Legend at the top right, clear of the y-axis name. */
export const LEGEND = {
  top: 0,
  right: 0,
  icon: "roundRect",
  itemWidth: 14,
  itemHeight: 8,
  textStyle: { fontSize: 12, color: "#595959" },
};

/** A small coloured dot for tooltip rows. */
export function dot(color: string): string {
  return `<span style="display:inline-block;width:8px;height:8px;border-radius:50%;background:${color};margin-right:6px"></span>`;
}

/** Text into tooltip HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** "#1668dc" with an alpha: "rgba(22, 104, 220, 0.25)". */
export function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.replace("#", ""), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
