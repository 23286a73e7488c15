/** Daily costs → a stacked bar per period (and the CSV of exactly that). Pure. */
import type { DailyCosts } from "./types";

export type CostSeries = { key: string; label: string; period: string; values: number[] };

export type DailyCostTable = { dates: string[]; series: CostSeries[]; totals: number[] };

/**
 * One series per season × period (labelled by the period alone when the
 * span has one season), one value per day; days without data are 0.
 */
export function dailyCostTable(costs: DailyCosts): DailyCostTable {
  const dates = costs.days.map((d) => d.date);
  const keys: { key: string; season: string; period: string }[] = [];
  for (const day of costs.days) {
    for (const p of day.by_period) {
      const key = `${p.season}\u0000${p.period}`;
      if (!keys.some((k) => k.key === key)) keys.push({ key, season: p.season, period: p.period });
    }
  }
  const seasons = new Set(keys.map((k) => k.season));
  const series = keys.map(({ key, season, period }) => ({
    key,
    period,
    label: seasons.size > 1 ? `${period} (${season})` : period,
    values: costs.days.map((d) =>
      d.by_period
        .filter((p) => `${p.season}\u0000${p.period}` === key)
        .reduce((sum, p) => sum + p.cost, 0),
    ),
  }));
  return { dates, series, totals: costs.days.map((d) => d.cost) };
}
