/** How the site report's figures read (the API's numbers, rounded as the PDF rounds them). */
import type { ReportGap, SiteReport } from "../types";

function parts(iso: string, timeZone: string): { date: string; time: string } {
  const d = new Date(iso);
  return {
    date: new Intl.DateTimeFormat("en-GB", {
      day: "numeric",
      month: "short",
      year: "numeric",
      timeZone,
    }).format(d),
    time: new Intl.DateTimeFormat("en-GB", {
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZone,
    }).format(d),
  };
}

/** An instant in the site's time zone: "14 Nov 2026, 10:30". */
export function formatSiteTime(iso: string, timeZone: string): string {
  const { date, time } = parts(iso, timeZone);
  return `${date}, ${time}`;
}

/** "Incomer: 9 Nov 2026, 02:00 – 07:00" (the end's date only when it is another day). */
export function formatGap(gap: ReportGap, timeZone: string): string {
  const start = parts(gap.start, timeZone);
  const end = parts(gap.end, timeZone);
  const until = start.date === end.date ? end.time : `${end.date}, ${end.time}`;
  return `${gap.device_name}: ${start.date}, ${start.time} – ${until}`;
}

const ONE_DECIMAL = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
const TWO_DECIMALS = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const WHOLE = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** 41234.5 → "41,234.5" (energy to 0.1 kWh on screen). */
export function formatKwh(value: number): string {
  return ONE_DECIMAL.format(value);
}

/** The share of 15-minute readings present: "99.3 %", or "—" when none were expected. */
export function formatCompleteness(completeness: SiteReport["completeness"]): string {
  return completeness.percent === null ? "—" : `${ONE_DECIMAL.format(completeness.percent)} %`;
}

/** "2,860 of 2,880 quarter-hours with readings". */
export function completenessDetail(completeness: SiteReport["completeness"]): string {
  return `${WHOLE.format(completeness.present_buckets)} of ${WHOLE.format(
    completeness.expected_buckets,
  )} quarter-hours with readings`;
}

/** True when the report has holes worth a warning (a gap of an hour or more). */
export function hasGaps(report: Pick<SiteReport, "completeness">): boolean {
  return report.completeness.gaps.length > 0;
}

/** 0.943 → "0.94". */
export function formatPowerFactor(value: number | null): string {
  return value === null ? "—" : TWO_DECIMALS.format(value);
}

/** 3.05 → "+3.1 %", -2 → "−2 %", null → "—". */
export function formatChange(percent: number | null): string {
  if (percent === null) return "—";
  const sign = percent > 0 ? "+" : percent < 0 ? "−" : "";
  return `${sign}${ONE_DECIMAL.format(Math.abs(percent))} %`;
}
