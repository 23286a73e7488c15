import { describe, expect, it } from "vitest";
import {
  dayMap,
  gridOf,
  minutesOf,
  paint,
  periodsFromGrid,
  SLOTS_PER_DAY,
  timeOf,
  windowRanges,
  windowsOfDay,
} from "./grid";
import { eskomTouTemplate } from "./templates";
import type { PeriodDraft } from "./types";

/** A day of 48 half-hour slots, all `fill`, with [from, to) slots set to `name`. */
function slots(fill: string | null, ...runs: [number, number, string][]): (string | null)[] {
  const day: (string | null)[] = Array.from({ length: SLOTS_PER_DAY }, () => fill);
  for (const [from, to, name] of runs) for (let s = from; s < to; s += 1) day[s] = name;
  return day;
}

const H = (hour: number) => hour * 2; // slot index of a whole hour

describe("times", () => {
  it("reads and writes HH:MM, 24:00 included", () => {
    expect(minutesOf("06:30")).toBe(390);
    expect(minutesOf("24:00")).toBe(1440);
    expect(minutesOf("24:30")).toBeNull();
    expect(minutesOf("6:30")).toBeNull();
    expect(timeOf(0)).toBe("00:00");
    expect(timeOf(1440)).toBe("24:00");
  });

  it("a window with start > end wraps within the day", () => {
    expect(windowRanges("06:00", "09:00")).toEqual([[360, 540]]);
    expect(windowRanges("22:00", "06:00")).toEqual([
      [1320, 1440],
      [0, 360],
    ]);
    expect(windowRanges("00:00", "24:00")).toEqual([[0, 1440]]);
    expect(windowRanges("08:00", "08:00")).toEqual([]);
  });
});

describe("grid → periods", () => {
  it("painting Mon 06:00–09:00 peak yields one window 06:00–09:00", () => {
    const periods = paint([], "high", ["mon"], 6 * 60, 9 * 60, "peak");
    expect(periods).toEqual([
      { name: "peak", season: "high", days: ["mon"], start: "06:00", end: "09:00" },
    ]);
  });

  it("merges painted runs per period and day, and days with the same windows share an entry", () => {
    const weekday = slots(
      "off-peak",
      [H(6), H(9), "peak"],
      [H(9), H(17), "standard"],
      [H(17), H(19), "peak"],
      [H(19), H(22), "standard"],
    );
    const periods = periodsFromGrid({
      high: { mon: weekday, tue: weekday, wed: weekday, sat: slots("off-peak") },
    });
    expect(periods).toEqual([
      {
        name: "off-peak",
        season: "high",
        days: ["mon", "tue", "wed"],
        start: "22:00",
        end: "06:00",
      },
      { name: "peak", season: "high", days: ["mon", "tue", "wed"], start: "06:00", end: "09:00" },
      {
        name: "standard",
        season: "high",
        days: ["mon", "tue", "wed"],
        start: "09:00",
        end: "17:00",
      },
      { name: "peak", season: "high", days: ["mon", "tue", "wed"], start: "17:00", end: "19:00" },
      {
        name: "standard",
        season: "high",
        days: ["mon", "tue", "wed"],
        start: "19:00",
        end: "22:00",
      },
      { name: "off-peak", season: "high", days: ["sat"], start: "00:00", end: "24:00" },
    ]);
  });

  it("adjacent painted cells of one period become one window", () => {
    let periods: PeriodDraft[] = [];
    for (const from of [6 * 60, 6 * 60 + 30, 7 * 60, 8 * 60 + 30, 7 * 60 + 30, 8 * 60]) {
      periods = paint(periods, "low", ["tue"], from, from + 30, "peak");
    }
    expect(periods).toEqual([
      { name: "peak", season: "low", days: ["tue"], start: "06:00", end: "09:00" },
    ]);
  });

  it("a wrapping 22:00–06:00 window round-trips through the grid", () => {
    const original: PeriodDraft[] = [
      { name: "off-peak", season: "all", days: ["mon"], start: "22:00", end: "06:00" },
      { name: "day", season: "all", days: ["mon"], start: "06:00", end: "22:00" },
    ];
    const grid = gridOf(original, "all");
    expect(grid.mon[0]!.name).toBe("off-peak");
    expect(grid.mon[H(23)]!.name).toBe("off-peak");
    expect(grid.mon[H(12)]!.name).toBe("day");
    const painted = { all: { mon: grid.mon.map((s) => s.name) } };
    expect(periodsFromGrid(painted)).toEqual([
      { name: "off-peak", season: "all", days: ["mon"], start: "22:00", end: "06:00" },
      { name: "day", season: "all", days: ["mon"], start: "06:00", end: "22:00" },
    ]);
    expect(windowsOfDay(dayMap(original, "all", "mon"))).toEqual([
      { name: "off-peak", start: "22:00", end: "06:00" },
      { name: "day", start: "06:00", end: "22:00" },
    ]);
  });

  it("painting one day keeps the other days' entries and re-merges with them", () => {
    const template = eskomTouTemplate(new Date(2026, 0, 1)).versions[0]!.periods;
    // Repaint Monday 06:00–09:00 high-season peak with peak: nothing changes.
    const same = paint(template, "high", ["mon"], 360, 540, "peak");
    const key = (ps: PeriodDraft[]) =>
      ps.map((p) => `${p.season} ${p.name} ${p.days.join(",")} ${p.start}-${p.end}`).sort();
    expect(key(same)).toEqual(key(template));

    // Make Monday 08:00–09:00 standard: Monday gets its own entries, Tue–Fri keep theirs.
    const changed = paint(template, "high", ["mon"], 480, 540, "standard");
    const high = changed.filter((p) => p.season === "high");
    expect(high).toContainEqual({
      name: "peak",
      season: "high",
      days: ["tue", "wed", "thu", "fri"],
      start: "06:00",
      end: "09:00",
    });
    expect(high).toContainEqual({
      name: "peak",
      season: "high",
      days: ["mon"],
      start: "06:00",
      end: "08:00",
    });
    expect(high).toContainEqual({
      name: "standard",
      season: "high",
      days: ["mon"],
      start: "08:00",
      end: "17:00",
    });
    // Monday's unchanged windows still share the Mon–Fri entries.
    expect(high).toContainEqual({
      name: "peak",
      season: "high",
      days: ["mon", "tue", "wed", "thu", "fri"],
      start: "17:00",
      end: "19:00",
    });
    // The low season is untouched.
    expect(key(changed.filter((p) => p.season === "low"))).toEqual(
      key(template.filter((p) => p.season === "low")),
    );
  });

  it("the grid shows overlaps and gaps", () => {
    const periods: PeriodDraft[] = [
      { name: "peak", season: "s", days: ["mon"], start: "06:00", end: "09:00" },
      { name: "standard", season: "s", days: ["mon"], start: "08:45", end: "24:00" },
    ];
    const grid = gridOf(periods, "s");
    expect(grid.mon[0]).toMatchObject({ name: null, gap: true, conflict: false });
    expect(grid.mon[H(6)]).toMatchObject({ name: "peak", gap: false, conflict: false });
    expect(grid.mon[H(8) + 1]).toMatchObject({
      name: "peak",
      conflict: true,
      mixed: true,
      owners: [0, 1],
    });
    expect(grid.tue[H(12)]).toMatchObject({ name: null, gap: true });
  });

  it("the eraser leaves a gap", () => {
    const periods: PeriodDraft[] = [
      { name: "flat", season: "s", days: ["sun"], start: "00:00", end: "24:00" },
    ];
    expect(paint(periods, "s", ["sun"], 0, 60, null)).toEqual([
      { name: "flat", season: "s", days: ["sun"], start: "01:00", end: "24:00" },
    ]);
  });
});
