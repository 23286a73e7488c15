import { describe, expect, it } from "vitest";
import type { CsvTable } from "./csv";
import { chartSummary, parseHeader } from "./summary";

describe("parseHeader", () => {
  it.each([
    ["import_kwh", { name: "import", unit: "kWh", additive: true }],
    ["power_avg_kw", { name: "power avg", unit: "kW", additive: false }],
    ["Main incomer avg_kw", { name: "Main incomer avg", unit: "kW", additive: false }],
    ["Grocer (kWh)", { name: "Grocer", unit: "kWh", additive: true }],
    ["total (ZAR)", { name: "total", unit: "ZAR", additive: true }],
    ["cost_zar", { name: "cost", unit: "ZAR", additive: true }],
    ["kwh", { name: "energy", unit: "kWh", additive: true }],
    ["voltage_v", { name: "voltage", unit: "V", additive: false }],
    ["count", { name: "count", unit: "", additive: false }],
  ])("%s", (header, expected) => {
    expect(parseHeader(header)).toEqual(expected);
  });
});

const energy: CsvTable = {
  header: ["date", "import_kwh", "export_kwh"],
  rows: [
    ["2026-10-01", 120, 0],
    ["2026-10-02", 182.456, 3.5],
    ["2026-10-03", 90, null],
    ["2026-10-04", 3817.5, 1],
  ],
};

describe("chartSummary", () => {
  it.each<[string, string, CsvTable, string]>([
    [
      "energy per day: totals, highest and lowest with their dates, gaps counted",
      "Energy per day",
      energy,
      "Energy per day: 4 rows, 2026-10-01 to 2026-10-04. " +
        "import: total 4,209.96 kWh, highest 3,817.5 kWh on 2026-10-04, lowest 90 kWh on 2026-10-03. " +
        "export: total 4.5 kWh, highest 3.5 kWh on 2026-10-02, lowest 0 kWh on 2026-10-01 (1 without data).",
    ],
    [
      "power: an average, not a total; times with `at`",
      "Power",
      {
        header: ["time", "power_avg_kw"],
        rows: [
          ["2026-10-01T10:00:00+02:00", 10],
          ["2026-10-01T10:15:00+02:00", 30],
        ],
      },
      "Power: 2 rows, 2026-10-01T10:00:00+02:00 to 2026-10-01T10:15:00+02:00. " +
        "power avg: average 20 kW, highest 30 kW at 2026-10-01T10:15:00+02:00, " +
        "lowest 10 kW at 2026-10-01T10:00:00+02:00.",
    ],
    [
      "a heat map: two label columns (date and hour)",
      "Load by hour",
      {
        header: ["date", "hour", "energy_kwh"],
        rows: [
          ["2026-10-01", 0, 5],
          ["2026-10-01", 1, 7],
        ],
      },
      "Load by hour: 2 rows, 2026-10-01, hour 0 to 2026-10-01, hour 1. " +
        "energy: total 12 kWh, highest 7 kWh for 2026-10-01, hour 1, lowest 5 kWh for 2026-10-01, hour 0.",
    ],
    [
      "flows between meters (text labels), money in parentheses",
      "Flows",
      {
        header: ["from", "to", "kwh"],
        rows: [
          ["Grid", "Shop 1", 40],
          ["Grid", "Shop 2", 60],
        ],
      },
      "Flows: 2 rows, Grid, to Shop 1 to Grid, to Shop 2. " +
        "energy: total 100 kWh, highest 60 kWh for Grid, to Shop 2, lowest 40 kWh for Grid, to Shop 1.",
    ],
    [
      "one row: no highest/lowest",
      "Cost",
      { header: ["month", "total (ZAR)"], rows: [["2026-10", 1234.567]] },
      "Cost: 1 row, 2026-10. total: total 1,234.57 ZAR.",
    ],
    [
      "more than three measured columns: the rest are left to the table",
      "Costs",
      {
        header: ["date", "a (ZAR)", "b (ZAR)", "c (ZAR)", "d (ZAR)", "e (ZAR)"],
        rows: [["2026-10-01", 1, 2, 3, 4, 5]],
      },
      "Costs: 1 row, 2026-10-01. a: total 1 ZAR. b: total 2 ZAR. c: total 3 ZAR. " +
        "2 more columns in the table.",
    ],
    ["no rows", "Energy", { header: ["date", "import_kwh"], rows: [] }, "Energy: no data."],
    [
      "only gaps",
      "",
      { header: ["date", "import_kwh"], rows: [["2026-10-01", null]] },
      "Chart: 1 row, 2026-10-01. No numeric values.",
    ],
  ])("%s", (_, title, table, expected) => {
    expect(chartSummary(title, table)).toBe(expected);
  });
});
