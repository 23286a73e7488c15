import {
  CalendarOutlined,
  ClockCircleOutlined,
  DashboardOutlined,
  PercentageOutlined,
  ThunderboltOutlined,
} from "@ant-design/icons";
import { theme } from "antd";
import { errorMessage } from "@/api/errors";
import {
  formatAdaptive,
  formatDateTimeIn,
  formatEnergy,
  formatNumber,
} from "@/components/data-display/format";
import { formatAge, readingAgeStatus } from "@/components/data-display/reading-age";
import { useSummary } from "../api/measurements";
import { presetRange } from "../lib/date-range";
import type { DateRange, PlainDate } from "../lib/date-range";
import type { Scope, Summary } from "../types";
import { KpiCard } from "./KpiCard";

type KpiCardsProps = {
  scope: Scope;
  range: DateRange;
  today: PlainDate;
  timeZone: string;
  now: number;
};

function exported(summary: Summary | undefined): string | undefined {
  if (!summary || summary.energy_export_kwh <= 0) return undefined;
  const { value, unit } = formatEnergy(summary.energy_export_kwh);
  return `${value} ${unit} exported`;
}

/** Energy today and this month, peak demand and average PF over the range, last reading age. */
export function KpiCards({ scope, range, today, timeZone, now }: KpiCardsProps) {
  const { token } = theme.useToken();
  const todayRange = presetRange("today", today);
  const monthRange = presetRange("thisMonth", today);
  const includesToday = range.start <= today && today < range.end;
  const todaySummary = useSummary(scope, todayRange, true);
  const monthSummary = useSummary(scope, monthRange, true);
  const rangeSummary = useSummary(scope, range, includesToday);

  const energyToday = formatEnergy(todaySummary.data?.energy_import_kwh);
  const energyMonth = formatEnergy(monthSummary.data?.energy_import_kwh);
  const range_ = rangeSummary.data;
  const pf = range_?.average_power_factor ?? null;
  const lastAt = todaySummary.data?.last_reading_at ?? null;
  const age = readingAgeStatus(lastAt, now);
  const ageColors = {
    fresh: token.colorSuccessText,
    stale: token.colorWarningText,
    old: token.colorErrorText,
    none: token.colorErrorText,
  };
  const errorOf = (q: { isError: boolean; error: unknown }) =>
    q.isError ? errorMessage(q.error) : null;
  const monthName = new Intl.DateTimeFormat(undefined, { month: "long", timeZone: "UTC" }).format(
    Date.parse(`${today}T00:00:00Z`),
  );

  return (
    <div
      data-testid="kpis"
      style={{
        display: "grid",
        gridTemplateColumns: "repeat(auto-fit, minmax(165px, 1fr))",
        gap: 16,
      }}
    >
      <KpiCard
        testId="kpi-energy-today"
        label="Energy today"
        icon={<ThunderboltOutlined />}
        value={energyToday.value}
        unit={energyToday.unit}
        footnote={exported(todaySummary.data) ?? "imported since midnight"}
        loading={todaySummary.isPending && !todaySummary.isError}
        error={errorOf(todaySummary)}
      />
      <KpiCard
        testId="kpi-energy-month"
        label="Energy this month"
        icon={<CalendarOutlined />}
        value={energyMonth.value}
        unit={energyMonth.unit}
        footnote={exported(monthSummary.data) ?? `imported in ${monthName} so far`}
        loading={monthSummary.isPending && !monthSummary.isError}
        error={errorOf(monthSummary)}
      />
      <KpiCard
        testId="kpi-peak-demand"
        label="Peak demand"
        icon={<DashboardOutlined />}
        value={formatAdaptive(range_?.peak_demand_kw)}
        unit={range_?.peak_demand_kw != null ? "kW" : undefined}
        footnote={
          range_?.peak_demand_kw != null
            ? [
                range_.peak_demand_kva != null
                  ? `${formatAdaptive(range_.peak_demand_kva)} kVA`
                  : null,
                range_.peak_demand_at
                  ? formatDateTimeIn(range_.peak_demand_at, timeZone, {
                      day: "numeric",
                      month: "short",
                      hour: "2-digit",
                      minute: "2-digit",
                      hourCycle: "h23",
                    })
                  : null,
              ]
                .filter(Boolean)
                .join(" · ")
            : "no data in the period"
        }
        loading={rangeSummary.isPending && !rangeSummary.isError}
        error={errorOf(rangeSummary)}
      />
      <KpiCard
        testId="kpi-power-factor"
        label="Average power factor"
        icon={<PercentageOutlined />}
        value={formatNumber(pf, 2)}
        valueColor={pf !== null && pf < 0.9 ? token.colorWarningText : undefined}
        footnote={
          pf !== null
            ? pf < 0.9
              ? "below 0.90 over the period"
              : "over the period"
            : "no data in the period"
        }
        loading={rangeSummary.isPending && !rangeSummary.isError}
        error={errorOf(rangeSummary)}
      />
      <KpiCard
        testId="kpi-last-reading"
        label="Last reading"
        icon={<ClockCircleOutlined />}
        value={formatAge(lastAt, now)}
        valueColor={ageColors[age]}
        footnote={lastAt ? formatDateTimeIn(lastAt, timeZone) : "no readings yet"}
        loading={todaySummary.isPending && !todaySummary.isError}
        error={errorOf(todaySummary)}
      />
    </div>
  );
}
