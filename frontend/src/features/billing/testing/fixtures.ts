import type { Bill } from "../lib/types";

/** A week of the worked example (tests/unit/test_tariff_calculator.py): ZAR 25,012.50. */
export const aBill: Bill = {
  currency: "ZAR",
  timezone: "Africa/Johannesburg",
  start: "2026-06-15",
  end: "2026-06-22",
  energy_kwh: 16800,
  subtotal: 21750,
  vat: 3262.5,
  total: 25012.5,
  lines: [
    { kind: "energy", description: "Energy high peak", season: "high", period: "peak", quantity: 3000, unit: "kWh", rate: 3, amount: 9000, version_from: "2025-04-01", month: null },
    { kind: "energy", description: "Energy high standard", season: "high", period: "standard", quantity: 5500, unit: "kWh", rate: 1, amount: 5500, version_from: "2025-04-01", month: null },
    { kind: "energy", description: "Energy high off-peak", season: "high", period: "off-peak", quantity: 8300, unit: "kWh", rate: 0.5, amount: 4150, version_from: "2025-04-01", month: null },
    { kind: "demand", description: "Network demand 2026-06", season: null, period: "peak, standard", quantity: 125, unit: "kVA", rate: 45, amount: 5625, version_from: "2025-04-01", month: "2026-06" },
    { kind: "fixed", description: "Service charge", season: null, period: null, quantity: 7, unit: "day", rate: 25, amount: 175, version_from: "2025-04-01", month: null },
  ].map((l) => ({ ...l, kind: l.kind as Bill["lines"][number]["kind"] })),
};
