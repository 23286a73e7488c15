/**
 * Money and bill formatting. Bills use one fixed format (thousands
 * separators, 2 decimals, the ISO currency code), so a printed bill reads
 * the same whoever prints it.
 */
import { ApiError } from "@/api/client";
import type { BillLine } from "./types";

const AMOUNT = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const RATE = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 4 });
const WHOLE = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** 25012.5 → "25,012.50" (and -0 → "0.00"). */
export function formatAmount(value: number): string {
  return AMOUNT.format(Object.is(value, -0) ? 0 : value);
}

/** 25012.5, "ZAR" → "ZAR 25,012.50". */
export function formatMoney(value: number, currency: string): string {
  return `${currency} ${formatAmount(value)}`;
}

/** Tariff rates: at least 2, at most 4 decimals ("1.9531", "45.00"). */
export function formatRate(value: number): string {
  return RATE.format(value);
}

const UNIT_LABELS: Record<string, [string, string]> = {
  day: ["day", "days"],
  month: ["month", "months"],
};

/** "31 days", "0.52 months", "12,345.68 kWh", "125.00 kVA". */
export function formatQuantity(quantity: number, unit: string): string {
  const labels = UNIT_LABELS[unit];
  if (labels) {
    const whole = Number.isInteger(quantity);
    const text = whole ? WHOLE.format(quantity) : AMOUNT.format(quantity);
    return `${text} ${quantity === 1 ? labels[0] : labels[1]}`;
  }
  return `${formatAmount(quantity)} ${unit}`;
}

/** "ZAR 1.9531 / kWh", "ZAR 31.20 / day". */
export function formatUnitRate(rate: number, unit: string, currency: string): string {
  return `${currency} ${formatRate(rate)} / ${unit}`;
}

export type LineKind = BillLine["kind"];

export const KIND_TITLES: Record<LineKind, string> = {
  energy: "Energy",
  demand: "Demand",
  fixed: "Fixed charges",
  reactive: "Reactive energy",
};

const KIND_ORDER: LineKind[] = ["energy", "demand", "fixed", "reactive"];

export type BillSection = { kind: LineKind; title: string; lines: BillLine[]; amount: number };

/** Round to cents the way the server does (half away from zero) for sums of cent amounts. */
function cents(value: number): number {
  return Math.round((value + Number.EPSILON * Math.sign(value)) * 100) / 100;
}

/**
 * The bill's lines by kind (energy, demand, fixed, reactive), energy grouped
 * by season in the order the seasons first appear; each section with its sum.
 */
export function billSections(lines: readonly BillLine[]): BillSection[] {
  const sections: BillSection[] = [];
  for (const kind of KIND_ORDER) {
    let ofKind = lines.filter((l) => l.kind === kind);
    if (ofKind.length === 0) continue;
    if (kind === "energy") {
      const seasons: string[] = [];
      for (const l of ofKind) if (!seasons.includes(l.season ?? "")) seasons.push(l.season ?? "");
      ofKind = seasons.flatMap((s) => ofKind.filter((l) => (l.season ?? "") === s));
    }
    sections.push({
      kind,
      title: KIND_TITLES[kind],
      lines: ofKind,
      amount: cents(ofKind.reduce((sum, l) => sum + l.amount, 0)),
    });
  }
  return sections;
}

// ---------------------------------------------------------------- months

/** "YYYY-MM" of the month before the one `today` is in. */
export function lastFullMonth(today = new Date()): string {
  const d = new Date(today.getFullYear(), today.getMonth() - 1, 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
}

/** "YYYY-MM" of the month `today` is in. */
export function currentMonth(today = new Date()): string {
  return `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, "0")}`;
}

export function isMonth(value: unknown): value is string {
  return typeof value === "string" && /^\d{4}-(0[1-9]|1[0-2])$/.test(value);
}

/** "2026-05" → the bill span [2026-05-01, 2026-06-01). */
export function monthSpan(month: string): { start: string; end: string } {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
  return { start: `${month}-01`, end: `${next}-01` };
}

function utcDate(iso: string): Date {
  return new Date(`${iso}T00:00:00Z`);
}

const LONG_DATE = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});

/** [2026-05-01, 2026-06-01) → "1 May 2026 – 31 May 2026" (the end is exclusive). */
export function formatBillPeriod(start: string, end: string): string {
  const last = new Date(utcDate(end).getTime() - 86_400_000);
  return `${LONG_DATE.format(utcDate(start))} – ${LONG_DATE.format(last)}`;
}

/** "2026-05" → "May 2026". */
export function formatMonth(month: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(utcDate(`${month}-01`));
}

// ---------------------------------------------------------------- 409s

export type Unavailable = { reason: "no-tariff" | "no-version" | "other"; detail: string };

/** Why the server could not bill (409), or null for any other failure. */
export function billUnavailable(error: unknown): Unavailable | null {
  if (!(error instanceof ApiError) || error.status !== 409) return null;
  const body = error.body;
  const detail =
    body && typeof body === "object" && "detail" in body && typeof body.detail === "string"
      ? body.detail
      : "";
  if (/has no tariff/.test(detail)) return { reason: "no-tariff", detail };
  if (/no tariff version covers/.test(detail)) return { reason: "no-version", detail };
  return { reason: "other", detail };
}
