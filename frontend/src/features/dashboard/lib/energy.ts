import type { PlainDate } from "./date-range";

export type EnergyBucket = {
  start: string;
  energy_import_kwh: number | null;
  energy_export_kwh: number | null;
};

export type EnergyRow = {
  date: PlainDate;
  importKwh: number | null;
  exportKwh: number | null;
  previousDate?: PlainDate;
  previousImportKwh?: number | null;
  previousExportKwh?: number | null;
};

/**
 * Line the current period's buckets up with the previous period's, bucket by bucket
 * (day 1 with day 1, …). `previous` may be shorter (a shorter month): missing is null.
 */
export function energyRows(
  current: readonly EnergyBucket[],
  previous?: readonly EnergyBucket[],
): EnergyRow[] {
  return current.map((point, i) => {
    const row: EnergyRow = {
      date: point.start.slice(0, 10),
      importKwh: point.energy_import_kwh,
      exportKwh: point.energy_export_kwh,
    };
    if (previous) {
      const before = previous[i];
      row.previousDate = before?.start.slice(0, 10);
      row.previousImportKwh = before?.energy_import_kwh ?? null;
      row.previousExportKwh = before?.energy_export_kwh ?? null;
    }
    return row;
  });
}

/** Sum of the non-null values (null when there are none). */
export function total(values: readonly (number | null | undefined)[]): number | null {
  let sum: number | null = null;
  for (const v of values) if (v !== null && v !== undefined) sum = (sum ?? 0) + v;
  return sum;
}

/**
 * Percent change from the previous period, like for like: only buckets with data in
 * both periods count, and null when fewer than half of them do (a half-empty previous
 * period would show a meaningless +3,000 %).
 */
export function changePercent(rows: readonly EnergyRow[]): number | null {
  let now = 0;
  let before = 0;
  let pairs = 0;
  for (const row of rows) {
    if (
      row.importKwh === null ||
      row.previousImportKwh === null ||
      row.previousImportKwh === undefined
    )
      continue;
    now += row.importKwh;
    before += row.previousImportKwh;
    pairs++;
  }
  if (pairs === 0 || pairs < rows.length / 2 || before <= 0) return null;
  return ((now - before) / before) * 100;
}
