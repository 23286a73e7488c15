/** The power chart's CSV: one row per past time with data. */
import type { ChartMeter } from "../../types";
import type { CsvTable } from "@/components/charts/csv";
import { pastBuckets } from "../../lib/power-series";
import type { SeriesStats } from "../../lib/power-series";

/** One device's columnar power series, as the API sends it. */
export type DeviceSeries = SeriesStats & { times: string[] };

/** Single device: avg/min/max columns; else one avg column per device. */
export function powerCsv(
  devices: readonly ChartMeter[],
  series: readonly DeviceSeries[],
  single: boolean,
  now: number,
): CsvTable {
  const times = series[0]?.times ?? [];
  const past = pastBuckets(times, now);
  const header = single
    ? ["time", "power_avg_kw", "power_min_kw", "power_max_kw"]
    : ["time", ...devices.map((d) => `${d.name} avg_kw`)];
  const rows: (string | number | null)[][] = [];
  for (let i = 0; i < past; i++) {
    const values = single
      ? [series[0]?.avg[i] ?? null, series[0]?.min[i] ?? null, series[0]?.max[i] ?? null]
      : series.map((s) => s.avg[i] ?? null);
    const hasData = single ? values[0] !== null : values.some((v) => v !== null);
    if (hasData) rows.push([times[i] ?? "", ...values]);
  }
  return { header, rows };
}
