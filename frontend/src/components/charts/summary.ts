/**
 * A chart in words, for whoever cannot see it: built from the same table as its CSV export
 * (csv.ts), so the summary, the "Show as table" view and the file always agree.
 */
import type { CsvTable, CsvValue } from "./csv";

/** Columns that name a row (a date, an hour, an edge's ends) rather than measure it. */
const LABEL_COLUMN = /^(date|day|month|week|year|hour|time|period|part|from|to|name|meter)$/i;

/** Units a header may end with ("import_kwh", "power_avg_kw", "total (ZAR)"), as shown. */
const UNITS: Record<string, string> = {
  kwh: "kWh",
  kvarh: "kvarh",
  kw: "kW",
  kvar: "kvar",
  kva: "kVA",
  v: "V",
  a: "A",
  hz: "Hz",
  pf: "",
};

/** How many measured columns the summary describes (the table has them all). */
const MAX_COLUMNS = 3;

const numberFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

type Column = { name: string; unit: string; additive: boolean };

/** A header's name and unit: "import_kwh" → import, kWh; "Grocer (kWh)" → Grocer, kWh. */
export function parseHeader(header: string): Column {
  let name = header.trim();
  let unit = "";
  const inParens = /^(.*?)\s*\(([^)]+)\)$/.exec(name);
  const suffix = /^(.*?)(?:^|[ _])([a-z]{1,5})$/i.exec(name);
  if (inParens) {
    name = inParens[1] ?? "";
    unit = inParens[2] ?? "";
  } else if (suffix && (suffix[2]?.toLowerCase() ?? "") in UNITS) {
    name = suffix[1] ?? "";
    unit = suffix[2] ?? "";
  } else if (suffix && /^(cost|price|charge|amount|total)_[a-z]{3}$/i.test(name)) {
    name = suffix[1] ?? "";
    unit = (suffix[2] ?? "").toUpperCase();
  }
  const known = UNITS[unit.toLowerCase()];
  if (known !== undefined) unit = known;
  const isCurrency = /^[A-Z]{3}$/.test(unit);
  // energy and money add up over rows; power, voltage and the like are averaged
  const additive = unit === "kWh" || unit === "kvarh" || isCurrency;
  const fallback = unit === "kWh" ? "energy" : isCurrency ? "cost" : "value";
  return { name: name.replaceAll("_", " ").trim() || fallback, unit, additive };
}

function isNumber(value: CsvValue): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function amount(value: number, unit: string): string {
  const text = numberFormat.format(value);
  return unit ? `${text} ${unit}` : text;
}

/** "on 2026-10-14", "at 2026-10-14T10:00", or "for Grid, to Shop 1". */
function where(label: string): string {
  if (/^\d{4}-\d{2}(-\d{2})?$/.test(label)) return `on ${label}`;
  if (/^\d{4}-\d{2}-\d{2}[T ]\d/.test(label) || /^\d{1,2}:\d{2}/.test(label)) return `at ${label}`;
  return `for ${label}`;
}

/**
 * The summary of a chart's data, e.g. "Energy per day: 31 rows, 2026-10-01 to 2026-10-31.
 * import: total 4,210 kWh, highest 182 kWh on 2026-10-14, lowest 90 kWh on 2026-10-03."
 * The leading columns that name a row (text, or a date/hour/… column) make its label; each
 * numeric column after them is described: a total for energy and money, else an average,
 * then its highest and lowest values and where they are. Gaps (empty cells) are skipped.
 */
export function chartSummary(title: string, table: CsvTable): string {
  const heading = title.trim() || "Chart";
  const { header, rows } = table;
  if (rows.length === 0) return `${heading}: no data.`;

  let labels = 0;
  while (
    labels < header.length - 1 &&
    (LABEL_COLUMN.test(header[labels] ?? "") ||
      rows.every((row) => !isNumber(row[labels] ?? null) && row[labels] !== null))
  )
    labels++;
  const labelOf = (row: readonly CsvValue[]): string =>
    row
      .slice(0, labels)
      .map((cell, i) => (i === 0 ? String(cell ?? "") : `${header[i]} ${String(cell ?? "")}`))
      .join(", ");

  const measured: number[] = [];
  for (let i = labels; i < header.length; i++) {
    if (rows.some((row) => isNumber(row[i] ?? null))) measured.push(i);
  }

  const count = `${rows.length} ${rows.length === 1 ? "row" : "rows"}`;
  const first = rows[0];
  const last = rows[rows.length - 1];
  const span =
    labels > 0 && first && last
      ? rows.length === 1
        ? `, ${labelOf(first)}`
        : `, ${labelOf(first)} to ${labelOf(last)}`
      : "";
  const parts = [`${heading}: ${count}${span}.`];

  for (const index of measured.slice(0, MAX_COLUMNS)) {
    const column = parseHeader(header[index] ?? "");
    let sum = 0;
    let n = 0;
    let high: { value: number; row: readonly CsvValue[] } | null = null;
    let low: { value: number; row: readonly CsvValue[] } | null = null;
    for (const row of rows) {
      const value = row[index];
      if (!isNumber(value ?? null)) continue;
      const v = value as number;
      sum += v;
      n += 1;
      if (!high || v > high.value) high = { value: v, row };
      if (!low || v < low.value) low = { value: v, row };
    }
    if (!high || !low) continue;
    const overall = column.additive
      ? `total ${amount(sum, column.unit)}`
      : `average ${amount(sum / n, column.unit)}`;
    const extremes =
      n === 1
        ? ""
        : labels > 0
          ? `, highest ${amount(high.value, column.unit)} ${where(labelOf(high.row))}` +
            `, lowest ${amount(low.value, column.unit)} ${where(labelOf(low.row))}`
          : `, highest ${amount(high.value, column.unit)}, lowest ${amount(low.value, column.unit)}`;
    const gaps = n < rows.length ? ` (${rows.length - n} without data)` : "";
    parts.push(`${column.name}: ${overall}${extremes}${gaps}.`);
  }
  if (measured.length > MAX_COLUMNS) {
    const more = measured.length - MAX_COLUMNS;
    parts.push(`${more} more ${more === 1 ? "column" : "columns"} in the table.`);
  }
  if (measured.length === 0) parts.push("No numeric values.");
  return parts.join(" ");
}
