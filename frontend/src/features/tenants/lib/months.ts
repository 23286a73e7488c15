/** Months as "YYYY-MM" in the URL. */

export function isMonth(value: unknown): value is string {
  return typeof value === "string" && /^\d{4}-(0[1-9]|1[0-2])$/.test(value);
}

/** "YYYY-MM" of the month `today` is in (local time). */
export function monthOf(today: Date = new Date()): string {
  return `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, "0")}`;
}

/** The month parameter if valid, else the current month (tenant bills are read month to date). */
export function monthParam(value: string | null, today: Date = new Date()): string {
  return isMonth(value) ? value : monthOf(today);
}

/** Local dates [first of `month`, first of the next month) for the energy endpoints. */
export function monthDates(month: string): { start: string; end: string } {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
  return { start: `${month}-01`, end: `${next}-01` };
}
