/**
 * Where the utility bill went: the reconciliation as slices for a chart and a table.
 *
 * The utility bill's subtotal = Σ tenants' recovered subtotals − their mark-ups and fees
 * + the landlord's share (common areas, the unmetered remainder, vacant meters, rounding).
 * The mark-ups and fees are what the tenants pay beyond the utility bill, so
 * `markups = recovered + landlord − utility` (never negative: a shortfall is the landlord's).
 */
import type { Reconciliation } from "../types";

export type SliceKind = "tenant" | "common" | "unmetered" | "landlord";
export type Slice = {
  key: string;
  kind: SliceKind;
  label: string;
  /** null: no energy of its own (the landlord's other costs). */
  energyKwh: number | null;
  cost: number;
};

function cents(value: number): number {
  return Math.round((value + Number.EPSILON * Math.sign(value)) * 100) / 100;
}

export type ReconciliationView = {
  slices: Slice[];
  /** Σ slices' cost, to the cent. */
  carried: number;
  /** What the tenants pay beyond the utility bill (mark-ups and fees), ≥ 0. */
  markups: number;
  /** The slices' energy, to compare with the site's. */
  energyKwh: number;
  /** Costs carried − mark-ups = the utility bill's subtotal, to the cent. */
  addsUp: boolean;
};

export function reconciliationView(rec: Reconciliation): ReconciliationView {
  const slices: Slice[] = rec.tenants.map((t) => ({
    key: `tenant-${t.tenant_id}`,
    kind: "tenant",
    label: t.name,
    energyKwh: t.energy_kwh,
    cost: t.recovered_subtotal,
  }));
  slices.push({
    key: "common",
    kind: "common",
    label: "Common areas",
    energyKwh: rec.common_areas.energy_kwh,
    cost: rec.common_areas.cost,
  });
  slices.push({
    key: "unmetered",
    kind: "unmetered",
    label: "Unmetered",
    energyKwh: rec.unmetered.energy_kwh,
    cost: rec.unmetered.cost,
  });
  const otherLandlord = cents(rec.landlord_share.cost - rec.common_areas.cost - rec.unmetered.cost);
  if (Math.abs(otherLandlord) >= 0.005)
    slices.push({
      key: "landlord",
      kind: "landlord",
      label: "Landlord (vacant, rounding)",
      energyKwh: null,
      cost: otherLandlord,
    });
  const carried = cents(slices.reduce((sum, s) => sum + s.cost, 0));
  const markups = Math.max(
    0,
    cents(rec.recovered_subtotal + rec.landlord_share.cost - rec.utility.subtotal),
  );
  const energyKwh = slices.reduce((sum, s) => sum + (s.energyKwh ?? 0), 0);
  return {
    slices,
    carried,
    markups,
    energyKwh,
    addsUp: Math.abs(cents(carried - markups) - rec.utility.subtotal) < 0.005,
  };
}
