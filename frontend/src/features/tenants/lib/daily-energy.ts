/** The portal's chart: energy per day, one stacked series per meter. */
import type { CsvTable } from "@/components/charts/csv";
import type { ChartOption } from "@/components/charts/echarts";

export type MeterEnergy = {
  name: string;
  points: readonly { start: string; energy_import_kwh: number | null }[];
};

export type DailyEnergy = {
  days: string[];
  series: { name: string; values: (number | null)[] }[];
};

/** Every local day any meter has a point for, in order; each meter's kWh on those days. */
export function dailyEnergy(meters: readonly MeterEnergy[]): DailyEnergy {
  const days = [
    ...new Set(meters.flatMap((m) => m.points.map((p) => p.start.slice(0, 10)))),
  ].sort();
  const series = meters.map((m) => {
    const byDay = new Map<string, number | null>();
    for (const p of m.points) {
      const day = p.start.slice(0, 10);
      const before = byDay.get(day);
      const value = p.energy_import_kwh;
      byDay.set(day, value === null ? (before ?? null) : (before ?? 0) + value);
    }
    return { name: m.name, values: days.map((d) => byDay.get(d) ?? null) };
  });
  return { days, series };
}

/** Σ kWh of every meter and day (gaps count as nothing). */
export function totalKwh(daily: DailyEnergy): number {
  return daily.series.reduce(
    (sum, s) => sum + s.values.reduce<number>((a, v) => a + (v ?? 0), 0),
    0,
  );
}

export function dailyEnergyOption(daily: DailyEnergy): ChartOption {
  return {
    tooltip: { trigger: "axis" },
    legend: { bottom: 0, type: "scroll" },
    grid: { left: 56, right: 16, top: 16, bottom: 56 },
    xAxis: { type: "category", data: daily.days },
    yAxis: { type: "value", name: "kWh" },
    series: daily.series.map((s) => ({
      name: s.name,
      type: "bar" as const,
      stack: "energy",
      data: s.values,
    })),
  };
}

export function dailyEnergyCsv(daily: DailyEnergy): CsvTable {
  return {
    header: ["date", ...daily.series.map((s) => `${s.name} (kWh)`)],
    rows: daily.days.map((day, i) => [day, ...daily.series.map((s) => s.values[i] ?? null)]),
  };
}
