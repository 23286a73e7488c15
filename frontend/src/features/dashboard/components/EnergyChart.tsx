import { Flex, Switch, Typography } from "antd";
import { useMemo } from "react";
import { ChartCard } from "@/components/charts/ChartCard";
import type { ChartState } from "@/components/charts/ChartCard";
import { csvFileName } from "@/components/charts/csv";
import type { CsvTable } from "@/components/charts/csv";
import type { ChartOption } from "@/components/charts/echarts";
import { formatEnergy, formatNumber } from "@/components/data-display/format";
import { brand } from "@/config/brand";
import { useEnergy } from "../api/measurements";
import { daysBetween, formatDay, previousPeriod } from "../lib/date-range";
import type { DateRange, PlainDate } from "../lib/date-range";
import { changePercent, energyRows, total } from "../lib/energy";
import type { EnergyRow } from "../lib/energy";
import type { Interval, Scope } from "../types";
import { AXIS_LABEL, axisNumber, dot, LEGEND, SPLIT_LINE, TOOLTIP_BASE } from "./chart-theme";

/** Daily bars up to about a quarter; monthly bars for longer ranges. */
export const DAILY_UP_TO_DAYS = 92;

const EXPORT_COLOR = "#52c41a";
const PREVIOUS_COLOR = "#bfbfbf";

type EnergyChartProps = {
  scope: Scope;
  scopeName: string;
  range: DateRange;
  today: PlainDate;
  compare: boolean;
  onCompareChange: (compare: boolean) => void;
};

function energyOption(rows: EnergyRow[], interval: Interval, compare: boolean): ChartOption {
  const style = interval === "month" ? "month" : "day";
  const showExport = rows.some((r) => (r.exportKwh ?? 0) > 0);
  const series: NonNullable<ChartOption["series"]> = [];
  if (compare) {
    series.push({
      name: "Previous period",
      type: "bar",
      data: rows.map((r) => r.previousImportKwh ?? null),
      itemStyle: { color: PREVIOUS_COLOR, borderRadius: [2, 2, 0, 0] },
      barMaxWidth: 28,
    });
  }
  series.push({
    name: "Import",
    type: "bar",
    data: rows.map((r) => r.importKwh),
    itemStyle: { color: brand.primaryColor, borderRadius: [2, 2, 0, 0] },
    barMaxWidth: 28,
  });
  if (showExport) {
    series.push({
      name: "Export",
      type: "bar",
      data: rows.map((r) => r.exportKwh),
      itemStyle: { color: EXPORT_COLOR, borderRadius: [2, 2, 0, 0] },
      barMaxWidth: 28,
    });
  }
  return {
    animationDuration: 300,
    grid: { left: 8, right: 8, top: 36, bottom: 4, containLabel: true },
    legend: LEGEND,
    tooltip: {
      ...TOOLTIP_BASE,
      trigger: "axis",
      axisPointer: { type: "shadow" },
      formatter: (raw: unknown) => {
        const first = (Array.isArray(raw) ? raw[0] : raw) as { dataIndex: number } | undefined;
        const row = first ? rows[first.dataIndex] : undefined;
        if (!row) return "";
        const kwh = (v: number | null | undefined) =>
          v === null || v === undefined ? "no data" : `<b>${formatNumber(v, 1)} kWh</b>`;
        const lines = [
          `<span style="color:#8c8c8c">${formatDay(row.date, style)}</span>`,
          `${dot(brand.primaryColor)}Import ${kwh(row.importKwh)}`,
        ];
        if (showExport) lines.push(`${dot(EXPORT_COLOR)}Export ${kwh(row.exportKwh)}`);
        if (compare) {
          const label = row.previousDate ? formatDay(row.previousDate, style) : "previous period";
          lines.push(`${dot(PREVIOUS_COLOR)}${label} ${kwh(row.previousImportKwh)}`);
        }
        return lines.join("<br/>");
      },
    },
    xAxis: {
      type: "category",
      data: rows.map((r) => formatDay(r.date, style)),
      axisLabel: { ...AXIS_LABEL, hideOverlap: true },
      axisTick: { alignWithLabel: true },
      axisLine: { lineStyle: { color: "#d9d9d9" } },
    },
    yAxis: {
      type: "value",
      name: "kWh",
      nameTextStyle: { ...AXIS_LABEL, align: "right" },
      axisLabel: { ...AXIS_LABEL, formatter: axisNumber },
      splitLine: SPLIT_LINE,
    },
    series,
  };
}

function energyCsv(rows: EnergyRow[], interval: Interval, compare: boolean): CsvTable {
  const first = interval === "month" ? "month" : "date";
  const header = ["import_kwh", "export_kwh"];
  return {
    header: compare
      ? [first, ...header, `previous_${first}`, "previous_import_kwh", "previous_export_kwh"]
      : [first, ...header],
    rows: rows.map((r) => {
      const date = interval === "month" ? r.date.slice(0, 7) : r.date;
      const previous = interval === "month" ? r.previousDate?.slice(0, 7) : r.previousDate;
      return compare
        ? [
            date,
            r.importKwh,
            r.exportKwh,
            previous ?? null,
            r.previousImportKwh ?? null,
            r.previousExportKwh ?? null,
          ]
        : [date, r.importKwh, r.exportKwh];
    }),
  };
}

/** Energy per day (per month for long ranges), optionally against the previous period. */
export function EnergyChart({
  scope,
  scopeName,
  range,
  today,
  compare,
  onCompareChange,
}: EnergyChartProps) {
  const interval: Interval =
    daysBetween(range.start, range.end) <= DAILY_UP_TO_DAYS ? "day" : "month";
  const live = range.start <= today && today < range.end;
  const previous = previousPeriod(range);
  const current = useEnergy(scope, range, interval, { live });
  const before = useEnergy(scope, previous, interval, { live: false, enabled: compare });

  const rows = useMemo(
    () =>
      current.data
        ? energyRows(current.data.points, compare ? (before.data?.points ?? []) : undefined)
        : null,
    [current.data, before.data, compare],
  );
  const option = useMemo(
    () =>
      rows && rows.some((r) => r.importKwh !== null || r.exportKwh !== null)
        ? energyOption(rows, interval, compare)
        : null,
    [rows, interval, compare],
  );
  const csv = useMemo(
    () => (rows ? energyCsv(rows, interval, compare) : null),
    [rows, interval, compare],
  );

  const error = current.error ?? (compare ? before.error : null);
  let state: ChartState = "ready";
  if (error) state = "error";
  else if (!current.data || (compare && !before.data)) state = "loading";
  else if (!option) state = "empty";

  const sum = formatEnergy(total(rows?.map((r) => r.importKwh) ?? []));
  const previousSum = compare ? total(rows?.map((r) => r.previousImportKwh) ?? []) : null;
  const change = compare && rows ? changePercent(rows) : null;

  return (
    <ChartCard
      title={interval === "month" ? "Energy per month" : "Energy per day"}
      subtitle={
        <>
          {sum.value !== "—" ? `${sum.value} ${sum.unit} imported` : "kWh imported"}
          {compare && previousSum !== null && (
            <>
              {` · previous ${formatEnergy(previousSum).value} ${formatEnergy(previousSum).unit}`}
              {change !== null && (
                <Typography.Text
                  type={change > 0 ? "danger" : "success"}
                  style={{ fontSize: 12, marginInlineStart: 4 }}
                >
                  ({change > 0 ? "+" : ""}
                  {formatNumber(change, 1)}%)
                </Typography.Text>
              )}
            </>
          )}
        </>
      }
      testId="energy-chart"
      exportId="energy"
      state={state}
      error={error}
      emptyText="No energy recorded in this period"
      points={rows?.length ?? 0}
      option={option}
      height={340}
      csv={csv}
      csvFileName={csvFileName(scopeName, "energy", interval, range.start, range.end)}
      extra={
        <Flex gap={6} align="center">
          <Switch
            size="small"
            checked={compare}
            onChange={onCompareChange}
            data-testid="compare-toggle"
            aria-label="Compare with previous period"
          />
          <Typography.Text style={{ fontSize: 12, whiteSpace: "nowrap" }}>Compare</Typography.Text>
        </Flex>
      }
    />
  );
}
