/** The power chart's data: one series query per device, turned into traces, option and CSV. */
import type { ChartMeter } from "../../types";
import { useMemo } from "react";
import type { ChartState } from "@/components/charts/ChartCard";
import { usePowerSeries } from "../../api/measurements";
import { zonedMidnight } from "../../lib/date-range";
import type { DateRange } from "../../lib/date-range";
import { buildPowerTrace } from "../../lib/power-series";
import { PALETTE } from "../chart-theme";
import { powerCsv } from "./power-csv";
import { powerOption, powerSubtitle } from "./power-option";
import type { Trace } from "./power-series-options";

const NO_STATS = { avg: [], min: [], max: [] };

export type PowerChartInput = {
  timeZone: string;
  devices: ChartMeter[];
  single: boolean;
  range: DateRange;
  now: number;
};

export function usePowerChart({ timeZone, devices, single, range, now }: PowerChartInput) {
  const request = useMemo(
    () => ({
      start: new Date(zonedMidnight(range.start, timeZone)).toISOString(),
      end: new Date(zonedMidnight(range.end, timeZone)).toISOString(),
      maxPoints: 800,
    }),
    [range.start, range.end, timeZone],
  );
  const live = Date.parse(request.end) > now;
  const queries = usePowerSeries(devices, request, live);
  // Recompute at most once a minute: "now" only trims the future off the series.
  const nowMinute = Math.floor(now / 60_000) * 60_000;
  const loaded = queries.every((q) => q.data !== undefined);
  const dataKey = queries.map((q) => q.dataUpdatedAt).join(",");

  const { traces, csv } = useMemo(() => {
    if (!loaded) return { traces: [] as Trace[], csv: null };
    const traces: Trace[] = devices.map((device, i) => {
      const data = queries[i]?.data;
      const stats = data?.series.power_kw ?? NO_STATS;
      return {
        device,
        color: PALETTE[i % PALETTE.length] ?? "#1668dc",
        trace: buildPowerTrace(data?.times ?? [], stats, data?.bucket_seconds ?? 900, nowMinute),
      };
    });
    const series = queries.map((q) => ({
      times: q.data?.times ?? [],
      ...(q.data?.series.power_kw ?? NO_STATS),
    }));
    return { traces, csv: powerCsv(devices, series, single, nowMinute) };
    // `queries` is a new array each render: `dataKey` says when their data changed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [loaded, dataKey, devices, single, nowMinute]);

  const option = useMemo(
    () => (traces.some((t) => t.trace.count > 0) ? powerOption(traces, single) : null),
    [traces, single],
  );

  const error = queries.find((q) => q.isError)?.error;
  let state: ChartState = "ready";
  if (error) state = "error";
  else if (!loaded) state = "loading";
  else if (!option) state = "empty";

  const subtitle = powerSubtitle(single, queries[0]?.data?.bucket_seconds);
  return { state, error, option, csv, subtitle };
}
