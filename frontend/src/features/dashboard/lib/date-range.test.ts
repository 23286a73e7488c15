import { describe, expect, it } from "vitest";
import {
  addDays,
  daysBetween,
  isPlainDate,
  presetRange,
  previousPeriod,
  resolveRange,
  todayIn,
  zonedMidnight,
  zoneOffsetMinutes,
} from "./date-range";

const JOBURG = "Africa/Johannesburg"; // UTC+2, no DST
const BERLIN = "Europe/Berlin"; // CET/CEST
const NEW_YORK = "America/New_York";

describe("plain dates", () => {
  it("adds days across month, year and leap-day edges", () => {
    expect(addDays("2026-01-31", 1)).toBe("2026-02-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addDays("2028-03-01", -1)).toBe("2028-02-29");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(daysBetween("2026-03-01", "2026-04-01")).toBe(31);
  });

  it("accepts only real YYYY-MM-DD dates", () => {
    expect(isPlainDate("2026-02-28")).toBe(true);
    expect(isPlainDate("2026-02-30")).toBe(false);
    expect(isPlainDate("2026-2-3")).toBe(false);
    expect(isPlainDate(null)).toBe(false);
  });
});

describe("todayIn: the site's local day, not the browser's", () => {
  it("is already tomorrow in Johannesburg at 22:30 UTC", () => {
    const now = Date.UTC(2026, 0, 31, 22, 30);
    expect(todayIn("UTC", now)).toBe("2026-01-31");
    expect(todayIn(JOBURG, now)).toBe("2026-02-01");
  });

  it("is still yesterday in New York just after midnight UTC", () => {
    const now = Date.UTC(2026, 0, 1, 0, 30);
    expect(todayIn(NEW_YORK, now)).toBe("2025-12-31");
  });

  it("switches exactly at local midnight", () => {
    // Johannesburg midnight of 2026-05-10 is 2026-05-09T22:00Z
    expect(todayIn(JOBURG, Date.UTC(2026, 4, 9, 21, 59, 59))).toBe("2026-05-09");
    expect(todayIn(JOBURG, Date.UTC(2026, 4, 9, 22, 0, 0))).toBe("2026-05-10");
  });
});

describe("zonedMidnight", () => {
  it("is the UTC instant local midnight starts", () => {
    expect(new Date(zonedMidnight("2026-05-10", JOBURG)).toISOString()).toBe(
      "2026-05-09T22:00:00.000Z",
    );
    expect(new Date(zonedMidnight("2026-01-15", BERLIN)).toISOString()).toBe(
      "2026-01-14T23:00:00.000Z",
    );
    expect(new Date(zonedMidnight("2026-07-15", BERLIN)).toISOString()).toBe(
      "2026-07-14T22:00:00.000Z",
    );
  });

  it("handles the days the clocks change", () => {
    // Berlin springs forward on 2026-03-29 at 02:00 (midnight is still +01:00) …
    expect(new Date(zonedMidnight("2026-03-29", BERLIN)).toISOString()).toBe(
      "2026-03-28T23:00:00.000Z",
    );
    // … and the day after starts at +02:00.
    expect(new Date(zonedMidnight("2026-03-30", BERLIN)).toISOString()).toBe(
      "2026-03-29T22:00:00.000Z",
    );
    expect(zoneOffsetMinutes(Date.UTC(2026, 2, 29, 12), BERLIN)).toBe(120);
    expect(zoneOffsetMinutes(Date.UTC(2026, 2, 28, 12), BERLIN)).toBe(60);
  });
});

describe("presetRange", () => {
  const today = "2026-03-15";

  it("covers today and the days before it, the end being exclusive", () => {
    expect(presetRange("today", today)).toEqual({ start: "2026-03-15", end: "2026-03-16" });
    expect(presetRange("last7", today)).toEqual({ start: "2026-03-09", end: "2026-03-16" });
    expect(presetRange("last30", today)).toEqual({ start: "2026-02-14", end: "2026-03-16" });
    expect(daysBetween(presetRange("last7", today).start, presetRange("last7", today).end)).toBe(7);
  });

  it("runs this month and this year up to today", () => {
    expect(presetRange("thisMonth", today)).toEqual({ start: "2026-03-01", end: "2026-03-16" });
    expect(presetRange("thisYear", today)).toEqual({ start: "2026-01-01", end: "2026-03-16" });
  });

  it("is the whole previous month for last month, also over a year end and a leap February", () => {
    expect(presetRange("lastMonth", today)).toEqual({ start: "2026-02-01", end: "2026-03-01" });
    expect(presetRange("lastMonth", "2026-01-01")).toEqual({
      start: "2025-12-01",
      end: "2026-01-01",
    });
    expect(presetRange("lastMonth", "2028-03-31")).toEqual({
      start: "2028-02-01",
      end: "2028-03-01",
    });
  });

  it("on the first day of a month, this month is just today", () => {
    expect(presetRange("thisMonth", "2026-04-01")).toEqual({
      start: "2026-04-01",
      end: "2026-04-02",
    });
    expect(presetRange("thisYear", "2026-12-31")).toEqual({
      start: "2026-01-01",
      end: "2027-01-01",
    });
  });

  it("follows the site's day: 23:30 UTC on 31 January is February in Johannesburg", () => {
    const today = todayIn(JOBURG, Date.UTC(2026, 0, 31, 23, 30));
    expect(presetRange("thisMonth", today)).toEqual({ start: "2026-02-01", end: "2026-02-02" });
    expect(presetRange("lastMonth", today)).toEqual({ start: "2026-01-01", end: "2026-02-01" });
  });
});

describe("previousPeriod", () => {
  it("is the equal-length period just before", () => {
    expect(previousPeriod({ start: "2026-03-09", end: "2026-03-16" })).toEqual({
      start: "2026-03-02",
      end: "2026-03-09",
    });
    expect(previousPeriod({ start: "2026-03-01", end: "2026-04-01" })).toEqual({
      start: "2026-01-29",
      end: "2026-03-01",
    });
  });
});

describe("resolveRange (from the URL)", () => {
  const today = "2026-03-15";

  it("uses a preset, or the default (last 7 days) for anything unknown", () => {
    expect(resolveRange({ range: "last30" }, today)).toEqual({
      preset: "last30",
      range: { start: "2026-02-14", end: "2026-03-16" },
    });
    expect(resolveRange({}, today).preset).toBe("last7");
    expect(resolveRange({ range: "nonsense" }, today).preset).toBe("last7");
  });

  it("takes a custom range with an inclusive `to`", () => {
    expect(resolveRange({ range: "custom", from: "2026-01-01", to: "2026-01-31" }, today)).toEqual({
      preset: "custom",
      range: { start: "2026-01-01", end: "2026-02-01" },
    });
  });

  it("refuses a reversed, malformed or too long custom range", () => {
    expect(
      resolveRange({ range: "custom", from: "2026-02-01", to: "2026-01-01" }, today).preset,
    ).toBe("last7");
    expect(
      resolveRange({ range: "custom", from: "2026-02-30", to: "2026-03-01" }, today).preset,
    ).toBe("last7");
    expect(
      resolveRange({ range: "custom", from: "2020-01-01", to: "2026-01-01" }, today).preset,
    ).toBe("last7");
  });
});
