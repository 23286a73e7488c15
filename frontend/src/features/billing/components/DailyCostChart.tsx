import { useMemo } from "react";
import { ChartCard } from "@/components/charts/ChartCard";
import type { ChartState } from "@/components/charts/ChartCard";
import { csvFileName } from "@/components/charts/csv";
import type { CsvTable } from "@/components/charts/csv";
import type { ChartOption } from "@/components/charts/echarts";
import { useDailyCosts } from "../api/billing";
import { periodColor } from "@/lib/period-colors";
import { dailyCostTable } from "../lib/daily-costs";
import { billUnavailable, formatAmount } from "../lib/format";

type DailyCostChartProps = {
  siteId: number;
  /** Local dates of the site's tariff, YYYY-MM-DD; `end` is exclusive. */
  start: string;
  end: string;
  height?: number;
};

const DAY_LABEL = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  timeZone: "UTC",
});

function dayLabel(date: string): string {
  return DAY_LABEL.format(new Date(`${date}T00:00:00Z`));
}

/** Energy cost per day, stacked by time-of-use period (before VAT). */
export function DailyCostChart({ siteId, start, end, height = 280 }: DailyCostChartProps) {
  const costs = useDailyCosts(siteId, start, end);
  const unavailable = billUnavailable(costs.error);
  const table = useMemo(() => (costs.data ? dailyCostTable(costs.data) : null), [costs.data]);
  const currency = costs.data?.currency ?? "";

  const option = useMemo<ChartOption | null>(() => {
    if (!table || table.dates.length === 0) return null;
    const names = table.series.map((s) => s.period);
    return {
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, type: "scroll" },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        valueFormatter: (v) => `${currency} ${formatAmount(Number(v))}`,
      },
      xAxis: { type: "category", data: table.dates.map(dayLabel) },
      yAxis: {
        type: "value",
        name: currency,
        axisLabel: { formatter: (v: number) => formatAmount(v).replace(/\.00$/, "") },
      },
      series: table.series.map((s) => ({
        type: "bar",
        name: s.label,
        stack: "cost",
        barMaxWidth: 28,
        itemStyle: { color: periodColor(s.period, names) },
        emphasis: { focus: "series" },
        data: s.values.map((v) => Math.round(v * 100) / 100),
      })),
    };
  }, [table, currency]);

  const csv = useMemo<CsvTable | null>(
    () =>
      table && {
        header: [
          "date",
          ...table.series.map((s) => `${s.label} (${currency})`),
          `total (${currency})`,
        ],
        rows: table.dates.map((date, i) => [
          date,
          ...table.series.map((s) => Math.round((s.values[i] ?? 0) * 100) / 100),
          table.totals[i],
        ]),
      },
    [table, currency],
  );

  let state: ChartState = "ready";
  if (costs.isPending && !costs.isError) state = "loading";
  else if (unavailable) state = "empty";
  else if (costs.isError) state = "error";
  else if (!table || table.dates.length === 0) state = "empty";

  return (
    <ChartCard
      title="Energy cost per day"
      subtitle={
        currency
          ? `${currency}, by time-of-use period, before VAT`
          : "By time-of-use period, before VAT"
      }
      testId="daily-cost-chart"
      exportId="daily-cost"
      state={state}
      error={costs.error}
      emptyText={
        unavailable?.reason === "no-tariff"
          ? "No tariff assigned to this site: costs show once it has one (Settings → Rates)."
          : (unavailable?.detail ?? "No costs for this period")
      }
      points={table?.dates.length ?? 0}
      option={option}
      height={height}
      csv={csv}
      csvFileName={csvFileName("daily-cost", `site-${siteId}`, start, end)}
    />
  );
}
