import { describe, expect, it } from "vitest";
import {
  currentMonth,
  formatMonth,
  formatPeriodLabel,
  formatWeek,
  isoWeekOf,
  isWeek,
  lastMonth,
  lastWeek,
  recentWeeks,
  weekSpan,
} from "./periods";

describe("months", () => {
  it("defaults to the month before today's, across a new year", () => {
    expect(lastMonth(new Date(2026, 11, 3))).toBe("2026-11");
    expect(lastMonth(new Date(2027, 0, 1))).toBe("2026-12");
    expect(currentMonth(new Date(2026, 11, 31))).toBe("2026-12");
  });

  it("names a month", () => {
    expect(formatMonth("2026-11")).toBe("November 2026");
    expect(formatPeriodLabel("2026-11")).toBe("November 2026");
  });
});

describe("ISO weeks", () => {
  it.each([
    [new Date(2026, 11, 3), "2026-W49"],
    [new Date(2026, 0, 1), "2026-W01"], // a Thursday: week 1 of 2026
    [new Date(2027, 0, 1), "2026-W53"], // a Friday: still the last week of 2026
    [new Date(2021, 0, 3), "2020-W53"], // a Sunday
    [new Date(2024, 11, 30), "2025-W01"], // a Monday in week 1 of the next year
  ])("%s is in %s", (day, week) => {
    expect(isoWeekOf(day)).toBe(week);
  });

  it("defaults to the week before today's", () => {
    expect(lastWeek(new Date(2026, 11, 3))).toBe("2026-W48");
    expect(lastWeek(new Date(2026, 0, 5))).toBe("2026-W01");
    expect(lastWeek(new Date(2026, 0, 4))).toBe("2025-W52");
  });

  it("spans Monday to Monday and reads with its dates", () => {
    expect(weekSpan("2026-W48")).toEqual({ start: "2026-11-23", end: "2026-11-30" });
    expect(weekSpan("2026-W53")).toEqual({ start: "2026-12-28", end: "2027-01-04" });
    expect(weekSpan("2025-W01")).toEqual({ start: "2024-12-30", end: "2025-01-06" });
    expect(formatWeek("2026-W48")).toBe("Week 48, 2026 (23 Nov 2026 – 29 Nov 2026)");
    expect(formatPeriodLabel("2026-W48")).toBe("Week 48, 2026");
  });

  it("offers the weeks that ended, newest first", () => {
    expect(recentWeeks(3, new Date(2026, 0, 7))).toEqual(["2026-W01", "2025-W52", "2025-W51"]);
    expect(recentWeeks(3, new Date(2026, 0, 7)).every(isWeek)).toBe(true);
  });
});
