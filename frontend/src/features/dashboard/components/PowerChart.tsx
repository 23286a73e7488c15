import type { ChartMeter } from "../types";
import { ChartCard } from "@/components/charts/ChartCard";
import { csvFileName } from "@/components/charts/csv";
import type { DateRange } from "../lib/date-range";
import { usePowerChart } from "./power-chart/usePowerChart";

type PowerChartProps = {
  siteName: string;
  timeZone: string;
  /** One device (avg line + min–max band), or all of a site's (one line each). */
  devices: ChartMeter[];
  single: boolean;
  range: DateRange;
  now: number;
};

/** Power over the range: avg line with a min–max band, zoomable, gaps shown as breaks. */
export function PowerChart({ siteName, ...input }: PowerChartProps) {
  const { state, error, option, csv, subtitle } = usePowerChart(input);
  const { devices, single, range } = input;
  return (
    <ChartCard
      title="Power"
      subtitle={subtitle}
      testId="power-chart"
      exportId="power"
      state={state}
      error={error}
      emptyText="No readings in this period"
      points={csv?.rows.length ?? 0}
      option={option}
      height={340}
      csv={csv}
      csvFileName={csvFileName(
        siteName,
        single ? (devices[0]?.name ?? "") : "all-devices",
        "power",
        range.start,
        range.end,
      )}
    />
  );
}
