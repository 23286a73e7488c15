import { useMemo } from "react";
import { ChartCard } from "@/components/charts/ChartCard";
import type { ChartState } from "@/components/charts/ChartCard";
import { csvFileName } from "@/components/charts/csv";
import type { CsvTable } from "@/components/charts/csv";
import type { ChartOption } from "@/components/charts/echarts";
import { formatNumber } from "@/components/data-display/format";
import type { Device } from "@/features/sites";
import { usePowerSeries } from "../api/measurements";
import { zonedMidnight } from "../lib/date-range";
import type { DateRange } from "../lib/date-range";
import { buildPowerTrace, pastBuckets } from "../lib/power-series";
import type { PowerTrace } from "../lib/power-series";
import { formatWallClock } from "../lib/wall-clock";
import {
  AXIS_LABEL,
  axisNumber,
  dot,
  escapeHtml,
  LEGEND,
  PALETTE,
  SPLIT_LINE,
  TIME_AXIS_LABELS,
  TOOLTIP_BASE,
  withAlpha,
} from "./chart-theme";

type PowerChartProps = {
  siteName: string;
  timeZone: string;
  /** One device (avg line + min–max band), or all of a site's (one line each). */
  devices: Device[];
  single: boolean;
  range: DateRange;
  now: number;
};

type Trace = { device: Device; trace: PowerTrace; color: string };

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

function powerOption(traces: Trace[], single: boolean): ChartOption {
  const series: NonNullable<ChartOption["series"]> = [];
  if (single && traces[0]) {
    const { trace, color, device } = traces[0];
    series.push(
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
    );
  } else {
    // Devices often miss the same stretch (a site outage): one marker per distinct gap.
    const gapNames = new Map<string, string[]>();
    for (const { device, trace } of traces) {
      for (const [from, to] of trace.gaps) {
        const key = `${from}|${to}`;
        gapNames.set(key, [...(gapNames.get(key) ?? []), device.name]);
      }
    }
    const allGaps = [...gapNames].map(([key, names]) => {
      const [from = 0, to = 0] = key.split("|").map(Number);
      const label = names.length === traces.length ? "No data" : `No data: ${names.join(", ")}`;
      return [{ xAxis: from, name: label }, { xAxis: to }];
    });
    traces.forEach(({ device, trace, color }, i) => {
      series.push({
        name: device.name,
        type: "line",
        data: trace.points.map((p) => [p[0], p[1]]),
        showSymbol: false,
        connectNulls: false,
        lineStyle: { width: 1.4, color },
        itemStyle: { color },
        ...(i === 0 ? { markArea: { ...GAP_AREA, data: allGaps as never } } : {}),
      });
    });
  }

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
      formatter: (raw: unknown) => {
        const params = (Array.isArray(raw) ? raw : [raw]) as {
          seriesIndex: number;
          dataIndex: number;
          color: string;
          axisValue: number;
        }[];
        const first = params[0];
        if (!first) return "";
        const lines = [`<span style="color:#8c8c8c">${formatWallClock(first.axisValue)}</span>`];
        if (single && traces[0]) {
          const point = traces[0].trace.points[first.dataIndex];
          if (point && point[1] !== null) {
            lines.push(
              `${dot(traces[0].color)}Average <b>${formatNumber(point[1], 1)} kW</b>`,
              `<span style="padding-left:14px;color:#8c8c8c">min ${formatNumber(point[2], 1)} · max ${formatNumber(point[3], 1)} kW</span>`,
            );
          }
        } else {
          for (const p of params) {
            const t = traces[p.seriesIndex];
            const value = t?.trace.points[p.dataIndex]?.[1];
            if (t && value !== null && value !== undefined) {
              lines.push(
                `${dot(t.color)}${escapeHtml(t.device.name)} <b>${formatNumber(value, 1)} kW</b>`,
              );
            }
          }
        }
        return lines.join("<br/>");
      },
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

/** The CSV: one row per time with data; single device avg/min/max, else one avg column per device. */
function powerCsv(
  devices: Device[],
  series: {
    times: string[];
    avg: (number | null)[];
    min: (number | null)[];
    max: (number | null)[];
  }[],
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

/** Power over the range: avg line with a min–max band, zoomable, gaps shown as breaks. */
export function PowerChart({ siteName, timeZone, devices, single, range, now }: PowerChartProps) {
  const request = useMemo(
    () => ({
      start: new Date(zonedMidnight(range.start, timeZone)).toISOString(),
      end: new Date(zonedMidnight(range.end, timeZone)).toISOString(),
      maxPoints: 800,
    }),
    [range.start, range.end, timeZone],
  );
  const live = Date.parse(request.end) > now;
  const queries = usePowerSeries(
    devices.map((d) => d.id),
    request,
    live,
  );
  // Recompute at most once a minute: "now" only trims the future off the series.
  const nowMinute = Math.floor(now / 60_000) * 60_000;
  const loaded = queries.every((q) => q.data !== undefined);
  const dataKey = queries.map((q) => q.dataUpdatedAt).join(",");

  const { traces, csv } = useMemo(() => {
    if (!loaded) return { traces: [] as Trace[], csv: null };
    const traces: Trace[] = devices.map((device, i) => {
      const data = queries[i]?.data;
      const stats = data?.series.power_kw ?? { avg: [], min: [], max: [] };
      return {
        device,
        color: PALETTE[i % PALETTE.length] ?? "#1668dc",
        trace: buildPowerTrace(data?.times ?? [], stats, data?.bucket_seconds ?? 900, nowMinute),
      };
    });
    const csv = powerCsv(
      devices,
      queries.map((q) => ({
        times: q.data?.times ?? [],
        ...(q.data?.series.power_kw ?? { avg: [], min: [], max: [] }),
      })),
      single,
      nowMinute,
    );
    return { traces, csv };
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

  const bucket = queries[0]?.data?.bucket_seconds;
  const subtitle = [
    single ? "Average with min–max band" : "Average power per device",
    bucket ? `${bucket >= 3600 ? `${bucket / 3600} h` : `${bucket / 60} min`} buckets` : null,
    "drag or scroll to zoom",
  ]
    .filter(Boolean)
    .join(" · ");

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
