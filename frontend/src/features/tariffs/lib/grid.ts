/**
 * The week grid ⇄ the periods list. Pure functions, no React.
 *
 * Semantics (the server's, see src/power_portal/tariffs/validator.py): a
 * period covers `[start, end)` of each listed day; `start > end` wraps within
 * the same day type, covering `[start, 24:00)` and `[00:00, end)`. Every
 * minute of every day of every season must belong to exactly one period.
 *
 * The list is the source of truth. The grid is a view of it at
 * `SLOT_MINUTES` resolution; painting rewrites only the painted days of the
 * painted season and re-merges windows, so the rest of the list (and its
 * minute-level precision) stays as the user wrote it.
 */
import { DAYS } from "./types";
import type { Day, PeriodDraft } from "./types";

export const MINUTES_PER_DAY = 1440;
export const SLOT_MINUTES = 30;
export const SLOTS_PER_DAY = MINUTES_PER_DAY / SLOT_MINUTES;

const TIME = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;

/** "06:30" → 390; "24:00" → 1440; anything else → null. */
export function minutesOf(time: string): number | null {
  const match = TIME.exec(time);
  if (!match) return null;
  if (time === "24:00") return MINUTES_PER_DAY;
  return Number(match[1]) * 60 + Number(match[2]);
}

/** 390 → "06:30"; 1440 → "24:00". */
export function timeOf(minute: number): string {
  const h = Math.floor(minute / 60);
  const m = minute % 60;
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
}

/** The half-open minute ranges a window covers; `[]` when its times are invalid or equal. */
export function windowRanges(start: string, end: string): [number, number][] {
  const lo = minutesOf(start);
  const hi = minutesOf(end);
  if (lo === null || hi === null || lo === hi) return [];
  if (lo < hi) return [[lo, hi]];
  const ranges: [number, number][] = [];
  if (lo < MINUTES_PER_DAY) ranges.push([lo, MINUTES_PER_DAY]);
  if (hi > 0) ranges.push([0, hi]);
  return ranges;
}

/**
 * For each minute of `day` in `season`: the indexes (into `periods`) of the periods
 * covering it.
 */
export function minuteOwners(
  periods: readonly PeriodDraft[],
  season: string,
  day: Day,
): number[][] {
  const owners: number[][] = Array.from({ length: MINUTES_PER_DAY }, () => []);
  periods.forEach((period, index) => {
    if (period.season !== season || !period.days.includes(day)) return;
    for (const [lo, hi] of windowRanges(period.start, period.end)) {
      for (let m = lo; m < hi; m += 1) owners[m]!.push(index);
    }
  });
  return owners;
}

/** One period name per minute (the first listed owner where periods overlap; null: none). */
export function dayMap(
  periods: readonly PeriodDraft[],
  season: string,
  day: Day,
): (string | null)[] {
  return minuteOwners(periods, season, day).map((o) =>
    o.length ? (periods[o[0]!]?.name ?? null) : null,
  );
}

export type Window = { name: string; start: string; end: string };

/**
 * The windows of one day from its per-minute (or per-slot) names: runs of the
 * same name become windows; a run at the end of the day and one at its start
 * with the same name become one wrapping window (22:00–06:00).
 */
export function windowsOfDay(map: readonly (string | null)[], unitMinutes = 1): Window[] {
  type Run = { name: string; lo: number; hi: number };
  const runs: Run[] = [];
  map.forEach((name, i) => {
    if (name === null) return;
    const last = runs[runs.length - 1];
    if (last && last.name === name && last.hi === i) last.hi = i + 1;
    else runs.push({ name, lo: i, hi: i + 1 });
  });
  const first = runs[0];
  const last = runs[runs.length - 1];
  if (
    runs.length > 1 &&
    first &&
    last &&
    first.lo === 0 &&
    last.hi === map.length &&
    first.name === last.name
  ) {
    runs.pop();
    runs[0] = { name: first.name, lo: last.lo, hi: first.hi };
  }
  return runs.map((r) => ({
    name: r.name,
    start: timeOf(r.lo * unitMinutes),
    end: timeOf(r.hi * unitMinutes),
  }));
}

function sortDays(days: readonly Day[]): Day[] {
  return DAYS.filter((d) => days.includes(d));
}

/** Add `window` on `day` to `periods` of `season`, sharing an entry with identical times. */
function addWindow(periods: PeriodDraft[], season: string, day: Day, window: Window): void {
  const same = periods.find(
    (p) =>
      p.season === season &&
      p.name === window.name &&
      p.start === window.start &&
      p.end === window.end,
  );
  if (same) {
    if (!same.days.includes(day)) same.days = sortDays([...same.days, day]);
  } else {
    periods.push({ name: window.name, season, days: [day], start: window.start, end: window.end });
  }
}

/**
 * Paint `[from, to)` minutes of `days` in `season` with period `name` (null
 * erases). Returns a new list: the painted days are taken out of the
 * season's entries and their windows re-added, merged per period and
 * shared with entries of other days that have the same times.
 */
export function paint(
  periods: readonly PeriodDraft[],
  season: string,
  days: readonly Day[],
  from: number,
  to: number,
  name: string | null,
): PeriodDraft[] {
  const lo = Math.max(0, Math.min(from, to));
  const hi = Math.min(MINUTES_PER_DAY, Math.max(from, to));
  const painted = new Map<Day, Window[]>();
  for (const day of days) {
    const map = dayMap(periods, season, day);
    for (let m = lo; m < hi; m += 1) map[m] = name;
    painted.set(day, windowsOfDay(map));
  }
  return replaceDays(periods, season, painted);
}

/** Replace the windows of some days of `season` (other days and seasons are kept as they are). */
export function replaceDays(
  periods: readonly PeriodDraft[],
  season: string,
  windowsByDay: ReadonlyMap<Day, readonly Window[]>,
): PeriodDraft[] {
  const result: PeriodDraft[] = [];
  for (const period of periods) {
    if (period.season !== season) {
      result.push({ ...period, days: [...period.days] });
      continue;
    }
    const days = period.days.filter((d) => !windowsByDay.has(d));
    if (days.length) result.push({ ...period, days });
  }
  for (const day of DAYS) {
    for (const window of windowsByDay.get(day) ?? []) addWindow(result, season, day, window);
  }
  return result;
}

/** A grid as painted: per season, per day, one period name (or null) per slot. */
export type PaintedGrid = Record<string, Partial<Record<Day, readonly (string | null)[]>>>;

/**
 * The periods list of a painted grid: merged runs per period and day; days
 * whose windows are identical share one entry.
 */
export function periodsFromGrid(grid: PaintedGrid, slotMinutes = SLOT_MINUTES): PeriodDraft[] {
  const result: PeriodDraft[] = [];
  for (const [season, byDay] of Object.entries(grid)) {
    for (const day of DAYS) {
      const slots = byDay[day];
      if (!slots) continue;
      for (const window of windowsOfDay(slots, slotMinutes)) addWindow(result, season, day, window);
    }
  }
  return result;
}

export type SlotView = {
  /** The period covering most of the slot (null: none). */
  name: string | null;
  /** Some minute of the slot is covered by two or more periods. */
  conflict: boolean;
  /** Some minute of the slot is covered by no period. */
  gap: boolean;
  /** More than one period within the slot (a window edge off the grid's resolution). */
  mixed: boolean;
  /** Indexes (into the periods list) of the periods touching the slot. */
  owners: number[];
};

/** The grid of one season: 7 days × SLOTS_PER_DAY slots, from the periods list. */
export function gridOf(
  periods: readonly PeriodDraft[],
  season: string,
  slotMinutes = SLOT_MINUTES,
): Record<Day, SlotView[]> {
  const grid = {} as Record<Day, SlotView[]>;
  const slots = MINUTES_PER_DAY / slotMinutes;
  for (const day of DAYS) {
    const owners = minuteOwners(periods, season, day);
    const row: SlotView[] = [];
    for (let s = 0; s < slots; s += 1) {
      const counts = new Map<string, number>();
      const touching = new Set<number>();
      let conflict = false;
      let gap = false;
      for (let m = s * slotMinutes; m < (s + 1) * slotMinutes; m += 1) {
        const here = owners[m]!;
        if (here.length === 0) gap = true;
        if (here.length > 1) conflict = true;
        for (const i of here) touching.add(i);
        const first = here[0];
        if (first !== undefined) {
          const name = periods[first]!.name;
          counts.set(name, (counts.get(name) ?? 0) + 1);
        }
      }
      let name: string | null = null;
      let best = 0;
      for (const [n, c] of counts) {
        if (c > best) {
          name = n;
          best = c;
        }
      }
      const touchingNames = new Set([...touching].map((i) => periods[i]!.name));
      row.push({ name, conflict, gap, mixed: touchingNames.size > 1, owners: [...touching] });
    }
    grid[day] = row;
  }
  return grid;
}
