/** Number and time formatting for the portal: units, thousands separators, site time zones. */

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(min: number, max: number): Intl.NumberFormat {
  const key = `${min}:${max}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(undefined, {
      minimumFractionDigits: min,
      maximumFractionDigits: max,
    });
    numberFormats.set(key, format);
  }
  return format;
}

/** `1234.5` → "1,234.5" (in the user's locale); `null` → "—". */
export function formatNumber(value: number | null | undefined, fractionDigits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return numberFormat(fractionDigits, fractionDigits).format(value);
}

/** Fewer decimals as numbers grow: 0.123, 1.23, 12.3, 1,234. */
export function formatAdaptive(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return numberFormat(0, digits).format(value);
}

/** Energy with a unit that suits its size: "812 kWh", "12.4 MWh". */
export function formatEnergy(kwh: number | null | undefined): { value: string; unit: string } {
  if (kwh === null || kwh === undefined || !Number.isFinite(kwh)) return { value: "—", unit: "" };
  if (Math.abs(kwh) >= 100_000) return { value: formatNumber(kwh / 1000, 1), unit: "MWh" };
  return { value: formatNumber(kwh, Math.abs(kwh) >= 100 ? 0 : 1), unit: "kWh" };
}

/** An instant shown in a time zone: "27 Nov 2026, 14:30". */
export function formatDateTimeIn(
  iso: string | null | undefined,
  timeZone?: string,
  options: Intl.DateTimeFormatOptions = { dateStyle: "medium", timeStyle: "short" },
): string {
  if (!iso) return "never";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, { ...options, timeZone }).format(date);
}
