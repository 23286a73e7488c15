/**
 * The week grid with the keyboard: moving the active cell, extending a
 * rectangular selection, and what a key paints. Pure functions, no React.
 *
 * A cell is (day, slot): day 0–6 (Monday–Sunday, a row), slot 0–47 (a
 * half-hour, a column). A selection is the rectangle between its anchor
 * (where it started) and its focus (the active cell).
 */
import { SLOT_MINUTES, SLOTS_PER_DAY, timeOf } from "./grid";
import { DAYS } from "./types";
import type { Day } from "./types";

export type Cell = { day: number; slot: number };
export type Selection = { anchor: Cell; focus: Cell };
export type GridSize = { days: number; slots: number };

export const WEEK: GridSize = { days: DAYS.length, slots: SLOTS_PER_DAY };

export const DAY_NAMES: Record<Day, string> = {
  mon: "Monday",
  tue: "Tuesday",
  wed: "Wednesday",
  thu: "Thursday",
  fri: "Friday",
  sat: "Saturday",
  sun: "Sunday",
};

/** What a key needs of a keyboard event. */
export type KeyInput = {
  key: string;
  shiftKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
};

export type GridCommand =
  /** Move the active cell and/or change the selection. */
  | { kind: "select"; selection: Selection; extended: boolean }
  /** Paint the selection with the chosen brush. */
  | { kind: "paint-brush" }
  /** Paint the selection with the period at `index` of the palette (keys 1–9). */
  | { kind: "paint-period"; index: number }
  /** Erase the selection. */
  | { kind: "erase" };

export function selectionAt(cell: Cell): Selection {
  return { anchor: cell, focus: cell };
}

function clamp(value: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, value));
}

export function clampCell(cell: Cell, size: GridSize = WEEK): Cell {
  return { day: clamp(cell.day, 0, size.days - 1), slot: clamp(cell.slot, 0, size.slots - 1) };
}

/**
 * Where a navigation key moves the active cell (null: not a navigation key).
 * Arrows: one cell; Home/End: the day's first/last half-hour (with Ctrl: the
 * week's first/last cell); PageUp/PageDown: the first/last day, same time.
 */
export function moveCell(cell: Cell, input: KeyInput, size: GridSize = WEEK): Cell | null {
  const ctrl = Boolean(input.ctrlKey || input.metaKey);
  const last = { day: size.days - 1, slot: size.slots - 1 };
  let next: Cell;
  switch (input.key) {
    case "ArrowLeft":
      next = { ...cell, slot: cell.slot - 1 };
      break;
    case "ArrowRight":
      next = { ...cell, slot: cell.slot + 1 };
      break;
    case "ArrowUp":
      next = { ...cell, day: cell.day - 1 };
      break;
    case "ArrowDown":
      next = { ...cell, day: cell.day + 1 };
      break;
    case "Home":
      next = ctrl ? { day: 0, slot: 0 } : { ...cell, slot: 0 };
      break;
    case "End":
      next = ctrl ? last : { ...cell, slot: last.slot };
      break;
    case "PageUp":
      next = { ...cell, day: 0 };
      break;
    case "PageDown":
      next = { ...cell, day: last.day };
      break;
    default:
      return null;
  }
  return clampCell(next, size);
}

/**
 * What a key does to the grid (null: nothing, let the browser have it).
 * Moving without Shift collapses the selection onto the new active cell;
 * with Shift the anchor stays and the rectangle grows or shrinks. Space or
 * Enter paints with the brush, 1–9 with that period of the palette, Delete
 * or Backspace erases, Escape collapses the selection, Ctrl+A selects the week.
 */
export function commandOf(
  input: KeyInput,
  selection: Selection,
  size: GridSize = WEEK,
): GridCommand | null {
  const ctrl = Boolean(input.ctrlKey || input.metaKey);
  if (input.altKey) return null;
  const moved = moveCell(selection.focus, input, size);
  if (moved) {
    return input.shiftKey
      ? { kind: "select", selection: { anchor: selection.anchor, focus: moved }, extended: true }
      : { kind: "select", selection: selectionAt(moved), extended: false };
  }
  if (ctrl) {
    if (input.key === "a" || input.key === "A") {
      return {
        kind: "select",
        selection: {
          anchor: { day: 0, slot: 0 },
          focus: { day: size.days - 1, slot: size.slots - 1 },
        },
        extended: true,
      };
    }
    return null;
  }
  switch (input.key) {
    case " ":
    case "Spacebar":
    case "Enter":
      return { kind: "paint-brush" };
    case "Delete":
    case "Backspace":
      return { kind: "erase" };
    case "Escape":
      return { kind: "select", selection: selectionAt(selection.focus), extended: false };
    default:
      break;
  }
  if (/^[1-9]$/.test(input.key)) return { kind: "paint-period", index: Number(input.key) - 1 };
  return null;
}

export type Rect = { dayLo: number; dayHi: number; slotLo: number; slotHi: number };

/** The selection's rectangle, inclusive bounds. */
export function rectOf(selection: Selection): Rect {
  const { anchor: a, focus: b } = selection;
  return {
    dayLo: Math.min(a.day, b.day),
    dayHi: Math.max(a.day, b.day),
    slotLo: Math.min(a.slot, b.slot),
    slotHi: Math.max(a.slot, b.slot),
  };
}

export function inRect(rect: Rect, day: number, slot: number): boolean {
  return day >= rect.dayLo && day <= rect.dayHi && slot >= rect.slotLo && slot <= rect.slotHi;
}

/** The cells of a rectangle. */
export function cellCount(rect: Rect): number {
  return (rect.dayHi - rect.dayLo + 1) * (rect.slotHi - rect.slotLo + 1);
}

/** What painting a rectangle means for the periods list: which days, which minutes. */
export function paintSpan(
  rect: Rect,
  slotMinutes = SLOT_MINUTES,
): { days: Day[]; from: number; to: number } {
  return {
    days: DAYS.slice(rect.dayLo, rect.dayHi + 1),
    from: rect.slotLo * slotMinutes,
    to: (rect.slotHi + 1) * slotMinutes,
  };
}

/** "Monday–Friday 08:00–12:00", "Sunday 18:00–18:30". */
export function describeRect(rect: Rect, slotMinutes = SLOT_MINUTES): string {
  const first = DAY_NAMES[DAYS[rect.dayLo]!];
  const last = DAY_NAMES[DAYS[rect.dayHi]!];
  const days = rect.dayLo === rect.dayHi ? first : `${first}–${last}`;
  const times = `${timeOf(rect.slotLo * slotMinutes)}–${timeOf((rect.slotHi + 1) * slotMinutes)}`;
  return `${days} ${times}`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** What the live region says after a paint: "Peak applied to Monday–Friday 08:00–12:00". */
export function describePaint(rect: Rect, name: string | null): string {
  return name === null
    ? `Erased ${describeRect(rect)}`
    : `${capitalised(name)} applied to ${describeRect(rect)}`;
}

/** What the live region says while a selection grows: "Selected Monday–Friday 08:00–12:00". */
export function describeSelection(rect: Rect): string {
  const n = cellCount(rect);
  return `Selected ${describeRect(rect)}, ${n} cell${n === 1 ? "" : "s"}`;
}

/** A cell's accessible name: "Monday 08:00–08:30, peak". */
export function cellLabel(
  day: Day,
  slot: number,
  what: string,
  slotMinutes = SLOT_MINUTES,
): string {
  const from = timeOf(slot * slotMinutes);
  const to = timeOf((slot + 1) * slotMinutes);
  return `${DAY_NAMES[day]} ${from}–${to}, ${what}`;
}
