import type { PlainDate } from "./date-range";
import { localDateAndHour } from "./wall-clock";

export type HourlyPoint = { start: string; energy_import_kwh: number | null };

export type HeatmapData = {
  /** One row per local day, in order. */
  days: PlainDate[];
  /** [hour 0–23, day index, kWh]: only cells with data (a gap stays an empty cell). */
  cells: [number, number, number][];
  /** The largest cell, for the colour scale (0 when there is no data). */
  max: number;
};

/**
 * Pivot hourly energy into a day × hour grid. Days and hours are the site's local
 * ones, read from each point's own offset. On the autumn DST night the repeated
 * hour sums into one cell; the skipped spring hour is an empty cell.
 */
export function pivotHourlyEnergy(points: readonly HourlyPoint[]): HeatmapData {
  const dayIndex = new Map<PlainDate, number>();
  const sums = new Map<string, number>();
  for (const point of points) {
    const [day, hour] = localDateAndHour(point.start);
    if (!dayIndex.has(day)) dayIndex.set(day, dayIndex.size);
    if (point.energy_import_kwh === null) continue;
    const key = `${day}|${hour}`;
    sums.set(key, (sums.get(key) ?? 0) + point.energy_import_kwh);
  }
  const days = [...dayIndex.keys()].sort();
  const order = new Map(days.map((day, i) => [day, i]));
  const cells: [number, number, number][] = [];
  let max = 0;
  for (const [key, kwh] of sums) {
    const [day = "", hour = "0"] = key.split("|");
    const value = Math.round(kwh * 1000) / 1000;
    cells.push([Number(hour), order.get(day) ?? 0, value]);
    max = Math.max(max, value);
  }
  cells.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  return { days, cells, max };
}
