import type { FleetEnergy } from "../types";

export type EnergyDay = { day: string; importKwh: number | null; exportKwh: number | null };

/** One row per bucket; the bucket's local date is the first 10 characters of its start. */
export function energyDays(energy: FleetEnergy | undefined): EnergyDay[] | null {
  if (!energy) return null;
  return energy.points.map((p) => ({
    day: p.start.slice(0, 10),
    importKwh: p.energy_import_kwh ?? null,
    exportKwh: p.energy_export_kwh ?? null,
  }));
}

/** Sum of the values present; null when there are none. */
export function sumKwh(values: readonly (number | null)[]): number | null {
  let sum: number | null = null;
  for (const v of values) if (v !== null) sum = (sum ?? 0) + v;
  return sum;
}
