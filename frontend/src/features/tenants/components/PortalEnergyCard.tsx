import { DatePicker } from "antd";
import dayjs from "dayjs";
import { useMemo, useState } from "react";
import { ChartCard } from "@/components/charts/ChartCard";
import { csvFileName } from "@/components/charts/csv";
import { formatNumber } from "@/components/data-display/format";
import { useMetersDailyEnergy } from "../api/energy";
import { dailyEnergyCsv, dailyEnergyOption, totalKwh } from "../lib/daily-energy";
import { meterKey, meterOf } from "../lib/meters";
import type { MeterRef } from "../lib/meters";
import { monthDates } from "../lib/months";
import type { TenantMeter } from "../types";

/** The tenant's energy per day over a chosen range, one colour per meter. */
export function PortalEnergyCard({
  assignments,
  month,
}: {
  assignments: readonly TenantMeter[];
  /** The month shown until the user picks another range. */
  month: string;
}) {
  const [picked, setPicked] = useState<{ month: string; start: string; end: string } | null>(null);
  const range = picked?.month === month ? picked : monthDates(month);
  const setRange = (span: { start: string; end: string }) => setPicked({ month, ...span });
  // one entry per meter (a meter held twice is one series; the API clips to the held spans)
  const meters = useMemo(() => {
    const seen = new Map<string, { ref: MeterRef; name: string }>();
    for (const a of assignments) {
      const ref = meterOf(a);
      if (!seen.has(meterKey(ref))) seen.set(meterKey(ref), { ref, name: a.meter_name });
    }
    return [...seen.values()];
  }, [assignments]);
  const { pending, error, daily } = useMetersDailyEnergy(meters, range.start, range.end);
  const option = useMemo(() => (daily ? dailyEnergyOption(daily) : null), [daily]);
  const total = daily ? totalKwh(daily) : null;
  const state = pending ? "loading" : error ? "error" : !daily || total === 0 ? "empty" : "ready";
  return (
    <ChartCard
      title="Your energy per day"
      subtitle={
        total === null ? (
          "kWh"
        ) : (
          <span data-testid="portal-energy-total" data-kwh={total}>
            kWh · {formatNumber(total, 1)} kWh in this range
          </span>
        )
      }
      testId="portal-energy-chart"
      exportId="portal-energy"
      state={meters.length === 0 ? "empty" : state}
      error={error}
      emptyText={meters.length === 0 ? "No meters yet." : "No energy recorded in this range."}
      points={daily?.days.length ?? 0}
      option={option}
      height={280}
      csv={daily ? dailyEnergyCsv(daily) : null}
      csvFileName={csvFileName("energy", range.start, range.end)}
      extra={
        <DatePicker.RangePicker
          size="small"
          data-testid="portal-energy-range"
          allowClear={false}
          value={[dayjs(range.start), dayjs(range.end).subtract(1, "day")]}
          onChange={(values) => {
            const [from, to] = values ?? [];
            if (from && to)
              setRange({
                start: from.format("YYYY-MM-DD"),
                end: to.add(1, "day").format("YYYY-MM-DD"),
              });
          }}
        />
      }
    />
  );
}
