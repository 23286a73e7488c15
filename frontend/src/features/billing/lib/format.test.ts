import { describe, expect, it } from "vitest";
import { ApiError } from "@/api/client";
import {
  billSections,
  billUnavailable,
  formatAmount,
  formatBillPeriod,
  formatMoney,
  formatQuantity,
  formatRate,
  lastFullMonth,
  monthSpan,
} from "./format";
import type { BillLine } from "./types";

function line(overrides: Partial<BillLine>): BillLine {
  return {
    kind: "energy",
    description: "Energy",
    season: null,
    period: null,
    quantity: 1,
    unit: "kWh",
    rate: 1,
    amount: 1,
    version_from: "2025-04-01",
    month: null,
    ...overrides,
  };
}

describe("bill formatting", () => {
  it("amounts have thousands separators and 2 decimals, in the currency", () => {
    expect(formatAmount(25012.5)).toBe("25,012.50");
    expect(formatAmount(1234567.891)).toBe("1,234,567.89");
    expect(formatAmount(0)).toBe("0.00");
    expect(formatAmount(-0)).toBe("0.00");
    expect(formatMoney(25012.5, "ZAR")).toBe("ZAR 25,012.50");
    expect(formatRate(1.9531)).toBe("1.9531");
    expect(formatRate(45)).toBe("45.00");
    expect(formatQuantity(31, "day")).toBe("31 days");
    expect(formatQuantity(1, "month")).toBe("1 month");
    expect(formatQuantity(0.516129, "month")).toBe("0.52 months");
    expect(formatQuantity(12345.678, "kWh")).toBe("12,345.68 kWh");
  });

  it("groups lines by kind, energy by season, and sums each group to the cent", () => {
    const lines = [
      line({ kind: "fixed", description: "Service charge", amount: 775.0, unit: "day" }),
      line({ season: "low", period: "peak", amount: 100.1 }),
      line({ season: "high", period: "peak", amount: 0.1 }),
      line({ season: "low", period: "standard", amount: 0.2 }),
      line({ kind: "demand", description: "Network demand", amount: 5625, unit: "kVA" }),
      line({ season: "high", period: "standard", amount: 1000.05 }),
    ];
    const sections = billSections(lines);
    expect(sections.map((s) => s.kind)).toEqual(["energy", "demand", "fixed"]);
    expect(sections[0]!.lines.map((l) => `${l.season} ${l.period}`)).toEqual([
      "low peak",
      "low standard",
      "high peak",
      "high standard",
    ]);
    expect(sections[0]!.amount).toBe(1100.45);
    expect(formatAmount(sections[0]!.amount)).toBe("1,100.45");
    expect(sections[1]!.title).toBe("Demand");
    expect(sections[2]!.title).toBe("Fixed charges");
  });

  it("bills whole months, the end exclusive", () => {
    expect(monthSpan("2026-05")).toEqual({ start: "2026-05-01", end: "2026-06-01" });
    expect(monthSpan("2026-12")).toEqual({ start: "2026-12-01", end: "2027-01-01" });
    expect(lastFullMonth(new Date(2026, 0, 15))).toBe("2025-12");
    expect(lastFullMonth(new Date(2026, 2, 31))).toBe("2026-02");
    expect(formatBillPeriod("2026-02-01", "2026-03-01")).toBe("1 February 2026 – 28 February 2026");
  });

  it("tells a missing tariff from a missing version (409)", () => {
    const noTariff = new ApiError(409, {
      detail: "site 3 has no tariff: assign one with PATCH /api/sites/3",
    });
    const noVersion = new ApiError(409, { detail: "no tariff version covers 2024-01-01" });
    expect(billUnavailable(noTariff)?.reason).toBe("no-tariff");
    expect(billUnavailable(noVersion)).toEqual({
      reason: "no-version",
      detail: "no tariff version covers 2024-01-01",
    });
    expect(billUnavailable(new ApiError(404, { detail: "no site" }))).toBeNull();
  });
});
