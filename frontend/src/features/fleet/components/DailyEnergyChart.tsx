import { useMemo } from "react";
import type { ReactNode } from "react";
import { ChartCard } from "@/components/charts/ChartCard";
import type { ChartState } from "@/components/charts/ChartCard";
import { csvFileName } from "@/components/charts/csv";
import type { CsvTable } from "@/components/charts/csv";
import type { ChartOption } from "@/components/charts/echarts";
import { formatAdaptive, formatEnergy, formatNumber } from "@/components/data-display/format";
import { brand } from "@/config/brand";
import { shortDay } from "../lib/days";
import type { DayRange } from "../lib/days";
import { energyDays, sumKwh } from "../lib/energy";
import type { EnergyDay } from "../lib/energy";
import type { FleetEnergy } from "../types";

const EXPORT_COLOR = "#52c41a";
const AXIS_LABEL = { color: "#595959", fontSize: 11 };

function chartOption(days: EnergyDay[]): ChartOption {
  const showExport = days.some((d) => (d.exportKwh ?? 0) > 0);
  const kwh = (v: number | null) => (v === null ? "no data" : `<b>${formatNumber(v, 1)} kWh</b>`);
  const series: NonNullable<ChartOption["series"]> = [
    {
      name: "Import",
      type: "bar",
      data: days.map((d) => d.importKwh),
      itemStyle: { color: brand.primaryColor, borderRadius: [2, 2, 0, 0] },
      barMaxWidth: 28,
    },
  ];
  if (showExport) {
    series.push({
      name: "Export",
      type: "bar",
      data: days.map((d) => d.exportKwh),
      itemStyle: { color: EXPORT_COLOR, borderRadius: [2, 2, 0, 0] },
      barMaxWidth: 28,
    });
  }
  return {
    animationDuration: 300,
    grid: { left: 8, right: 8, top: 36, bottom: 4, containLabel: true },
    legend: { top: 0, right: 0, textStyle: { fontSize: 12, color: "#595959" } },
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      formatter: (raw: unknown) => {
        const first = (Array.isArray(raw) ? raw[0] : raw) as { dataIndex: number } | undefined;
        const day = first ? days[first.dataIndex] : undefined;
        if (!day) return "";
        const lines = [day.day, `Import ${kwh(day.importKwh)}`];
        if (showExport) lines.push(`Export ${kwh(day.exportKwh)}`);
        return lines.join("<br/>");
      },
    },
    xAxis: {
      type: "category",
      data: days.map((d) => shortDay(d.day)),
      axisLabel: { ...AXIS_LABEL, hideOverlap: true },
      axisTick: { alignWithLabel: true },
      axisLine: { lineStyle: { color: "#d9d9d9" } },
    },
    yAxis: {
      type: "value",
      name: "kWh",
      nameTextStyle: { ...AXIS_LABEL, align: "right" },
      axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatAdaptive(v) },
      splitLine: { lineStyle: { color: "#f0f0f0" } },
    },
    series,
  };
}

type DailyEnergyChartProps = {
  title: ReactNode;
  /** Where the days are counted ("UTC days", "days in Africa/Johannesburg"). */
  basis: string;
  testId: string;
  exportId: string;
  /** Names the CSV file, with the range. */
  fileName: string;
  range: DayRange;
  query: { data?: FleetEnergy; error: unknown; isPending: boolean };
  emptyText: ReactNode;
  extra?: ReactNode;
};

/** Energy per day as bars, with the shared chart card (CSV export, loading/empty/error). */
export function DailyEnergyChart({
  title,
  basis,
  testId,
  exportId,
  fileName,
  range,
  query,
  emptyText,
  extra,
}: DailyEnergyChartProps) {
  const days = useMemo(() => energyDays(query.data), [query.data]);
  const option = useMemo(
    () =>
      days && days.some((d) => d.importKwh !== null || d.exportKwh !== null)
        ? chartOption(days)
        : null,
    [days],
  );
  const csv = useMemo<CsvTable | null>(
    () =>
      days
        ? {
            header: ["date", "import_kwh", "export_kwh"],
            rows: days.map((d) => [d.day, d.importKwh, d.exportKwh]),
          }
        : null,
    [days],
  );

  let state: ChartState = "ready";
  if (query.error) state = "error";
  else if (!query.data) state = "loading";
  else if (!option) state = "empty";

  const sum = formatEnergy(sumKwh(days?.map((d) => d.importKwh) ?? []));
  const imported = sum.value !== "—" ? `${sum.value} ${sum.unit} imported` : "kWh imported";
  return (
    <ChartCard
      title={title}
      subtitle={`${imported} · ${basis}`}
      testId={testId}
      exportId={exportId}
      state={state}
      error={query.error}
      emptyText={emptyText}
      points={days?.length ?? 0}
      option={option}
      height={300}
      csv={csv}
      csvFileName={csvFileName(fileName, "energy", "day", range.start, range.end)}
      extra={extra}
    />
  );
}
