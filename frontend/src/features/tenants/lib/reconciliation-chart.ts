/** The reconciliation's chart: the utility bill beside where it went, as stacked bars. */
import type { ChartOption } from "@/components/charts/echarts";
import type { CsvTable } from "@/components/charts/csv";
import type { Reconciliation } from "../types";
import type { ReconciliationView, SliceKind } from "./reconciliation";

const TENANT_COLORS = ["#1677ff", "#13c2c2", "#722ed1", "#2f54eb", "#08979c", "#531dab", "#1d39c4"];
const KIND_COLORS: Record<Exclude<SliceKind, "tenant">, string> = {
  common: "#faad14",
  unmetered: "#ff7a45",
  landlord: "#bfbfbf",
};

const AMOUNT = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

export function reconciliationOption(rec: Reconciliation, view: ReconciliationView): ChartOption {
  let tenantIndex = 0;
  const sliceSeries = view.slices.map((slice) => ({
    name: slice.label,
    type: "bar" as const,
    stack: "bill",
    barMaxWidth: 48,
    itemStyle: {
      color:
        slice.kind === "tenant"
          ? TENANT_COLORS[tenantIndex++ % TENANT_COLORS.length]
          : KIND_COLORS[slice.kind],
    },
    data: [null, slice.cost],
  }));
  return {
    tooltip: {
      trigger: "item",
      valueFormatter: (value) =>
        typeof value === "number" ? `${rec.currency} ${AMOUNT.format(value)}` : "—",
    },
    legend: { bottom: 0, type: "scroll" },
    grid: { left: 110, right: 24, top: 8, bottom: 48 },
    xAxis: { type: "value", name: rec.currency },
    yAxis: { type: "category", data: ["Utility bill", "Where it went"], inverse: true },
    series: [
      {
        name: "Utility bill",
        type: "bar",
        stack: "bill",
        barMaxWidth: 48,
        itemStyle: { color: "#595959" },
        data: [rec.utility.subtotal, null],
      },
      ...sliceSeries,
    ],
  };
}

/** The chart's data as CSV: one row per slice, then the utility bill. */
export function reconciliationCsv(rec: Reconciliation, view: ReconciliationView): CsvTable {
  return {
    header: ["part", "energy_kwh", `cost_${rec.currency.toLowerCase()}`],
    rows: [
      ...view.slices.map((s) => [s.label, s.energyKwh, s.cost]),
      ["Utility bill (subtotal)", rec.utility.energy_kwh, rec.utility.subtotal],
    ],
  };
}
