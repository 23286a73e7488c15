import { describe, expect, it } from "vitest";
import { aReconciliation } from "../testing/fixtures";
import { reconciliationOption } from "./reconciliation-chart";
import { reconciliationView } from "./reconciliation";

describe("reconciliationView", () => {
  it("splits the utility bill into tenants, common areas and the unmetered rest", () => {
    const view = reconciliationView(aReconciliation);
    expect(view.slices.map((s) => [s.label, s.cost])).toEqual([
      ["Grocer", 52000],
      ["Bakery", 63500],
      ["Common areas", 30000],
      ["Unmetered", 4500],
    ]);
    expect(view.carried).toBe(150000);
    expect(view.markups).toBe(0);
    expect(view.energyKwh).toBe(90000);
    expect(view.addsUp).toBe(true);
  });

  it("shows the landlord's other costs (vacant meters, rounding) as their own slice", () => {
    const rec = {
      ...aReconciliation,
      tenants: aReconciliation.tenants.slice(0, 1),
      recovered_subtotal: 52000,
      landlord_share: { cost: 98000 },
    };
    const view = reconciliationView(rec);
    expect(view.slices.at(-1)).toMatchObject({ kind: "landlord", cost: 63500, energyKwh: null });
    expect(view.addsUp).toBe(true);
  });

  it("takes tenants' mark-ups and fees off before comparing with the utility bill", () => {
    // Grocer pays 1,000.00 of mark-up on top of its share: recovered 116,500 + landlord 34,500
    const rec = {
      ...aReconciliation,
      tenants: [
        { ...aReconciliation.tenants[0]!, recovered_subtotal: 53000 },
        aReconciliation.tenants[1]!,
      ],
      recovered_subtotal: 116500,
    };
    const view = reconciliationView(rec);
    expect(view.markups).toBe(1000);
    expect(view.carried).toBe(151000);
    expect(view.addsUp).toBe(true);
  });

  it("says when the parts do not add up to the utility bill", () => {
    const rec = { ...aReconciliation, unmetered: { energy_kwh: 3000, cost: 4400 } };
    const view = reconciliationView(rec);
    // the landlord's share (34,500) still holds the 100.00: it shows as "other", and adds up
    expect(view.addsUp).toBe(true);
    const broken = {
      ...aReconciliation,
      utility: { ...aReconciliation.utility, subtotal: 150000.02 },
    };
    expect(reconciliationView(broken).addsUp).toBe(false);
  });

  it("charts the utility bill beside one stacked series per slice", () => {
    const option = reconciliationOption(aReconciliation, reconciliationView(aReconciliation));
    const series = option.series as { name: string; data: (number | null)[] }[];
    expect(series.map((s) => s.name)).toEqual([
      "Utility bill",
      "Grocer",
      "Bakery",
      "Common areas",
      "Unmetered",
    ]);
    expect(series[0]!.data).toEqual([150000, null]);
    expect(series[1]!.data).toEqual([null, 52000]);
  });
});
