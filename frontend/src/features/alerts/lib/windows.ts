/** Weekly windows (quiet hours, working hours): the form's rows, their checks, the API's shape. */
import type { Day, Window, Windows } from "../types";

export const DAYS: readonly Day[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

export const DAY_LABELS: Record<Day, string> = {
  mon: "Mon",
  tue: "Tue",
  wed: "Wed",
  thu: "Thu",
  fri: "Fri",
  sat: "Sat",
  sun: "Sun",
};

/** One window as the form holds it ("HH:MM"; the end may be "24:00"). */
export type WindowRow = { days?: Day[]; start?: string; end?: string };

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

/** "HH:MM" from 00:00 to 23:59 (a start). */
export function isClock(text: string | undefined): boolean {
  return typeof text === "string" && CLOCK.test(text);
}

/** "HH:MM" from 00:00 to 24:00 (an end: 24:00 is midnight at the end of the day). */
export function isEndClock(text: string | undefined): boolean {
  return text === "24:00" || isClock(text);
}

function minutes(text: string): number {
  const [h, m] = text.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** What is wrong with one window, or null. */
export function windowProblem(row: WindowRow): string | null {
  if (!row.days || row.days.length === 0) return "pick at least one day";
  if (!isClock(row.start)) return "the start is HH:MM, 00:00 to 23:59";
  if (!isEndClock(row.end)) return "the end is HH:MM, up to 24:00";
  if (minutes(row.end!) <= minutes(row.start!))
    return "the end must be after the start (use 24:00 for midnight)";
  return null;
}

/**
 * What is wrong with a list of windows, or null: the first bad window ("window 2: …"), then
 * two windows sharing a day that overlap (the API refuses them too).
 */
export function windowsProblem(rows: readonly WindowRow[] | undefined): string | null {
  const list = rows ?? [];
  for (const [index, row] of list.entries()) {
    const problem = windowProblem(row);
    if (problem) return `window ${index + 1}: ${problem}`;
  }
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const a = list[i]!;
      const b = list[j]!;
      const shared = a.days!.filter((d) => b.days!.includes(d));
      if (shared.length === 0) continue;
      const overlap = minutes(a.start!) < minutes(b.end!) && minutes(b.start!) < minutes(a.end!);
      if (overlap)
        return `windows ${i + 1} and ${j + 1} overlap on ${shared.map((d) => DAY_LABELS[d]).join(", ")}`;
    }
  }
  return null;
}

/** The API's windows for the form's rows (none: `null`). Days keep the week's order. */
export function windowsFromRows(rows: readonly WindowRow[] | undefined): Windows | null {
  if (!rows || rows.length === 0) return null;
  return {
    timezone: "site",
    windows: rows.map((row): Window => ({
      days: DAYS.filter((d) => row.days?.includes(d)),
      start: row.start ?? "",
      end: row.end ?? "",
    })),
  };
}

/** The form's rows for the API's windows. */
export function rowsFromWindows(windows: Windows | null | undefined): WindowRow[] {
  return (windows?.windows ?? []).map((w) => ({ days: [...w.days], start: w.start, end: w.end }));
}

/** "Mon–Fri 07:00–18:00; Sat 08:00–13:00" */
export function windowsSummary(windows: Windows | null | undefined): string {
  return (windows?.windows ?? [])
    .map((w) => `${daysSummary(w.days)} ${w.start}–${w.end}`)
    .join("; ");
}

/** "Mon–Fri", "Sat, Sun", "every day". */
export function daysSummary(days: readonly Day[]): string {
  const indexes = DAYS.map((d, i) => (days.includes(d) ? i : -1)).filter((i) => i >= 0);
  if (indexes.length === 7) return "every day";
  const runs: string[] = [];
  let start = 0;
  for (let k = 1; k <= indexes.length; k++) {
    if (k < indexes.length && indexes[k] === indexes[k - 1]! + 1) continue;
    const first = DAYS[indexes[start]!]!;
    const last = DAYS[indexes[k - 1]!]!;
    const length = k - start;
    if (length >= 3) runs.push(`${DAY_LABELS[first]}–${DAY_LABELS[last]}`);
    else runs.push(...indexes.slice(start, k).map((i) => DAY_LABELS[DAYS[i]!]));
    start = k;
  }
  return runs.join(", ");
}
