import { describe, expect, it } from "vitest";
import { fromInclusive, lastDays, localToday, shiftDays } from "./dates";

describe("site dates", () => {
  it("knows the local date on either side of midnight", () => {
    // 22:30 UTC on 31 May is already 1 June in Johannesburg (UTC+2).
    const instant = Date.UTC(2026, 4, 31, 22, 30);
    expect(localToday("Africa/Johannesburg", instant)).toBe("2026-06-01");
    expect(localToday("UTC", instant)).toBe("2026-05-31");
  });

  it.each([
    ["2026-03-01", -1, "2026-02-28"],
    ["2024-02-28", 1, "2024-02-29"],
    ["2026-12-31", 1, "2027-01-01"],
  ])("%s shifted by %i is %s", (date, days, expected) => {
    expect(shiftDays(date, days)).toBe(expected);
  });

  it("makes the last n days end after today", () => {
    expect(lastDays("2026-06-10", 30)).toEqual({ start: "2026-05-12", end: "2026-06-11" });
    expect(lastDays("2026-06-10", 1)).toEqual({ start: "2026-06-10", end: "2026-06-11" });
  });

  it("turns an inclusive pick into an exclusive end, in either order", () => {
    expect(fromInclusive("2026-06-01", "2026-06-30")).toEqual({
      start: "2026-06-01",
      end: "2026-07-01",
    });
    expect(fromInclusive("2026-06-30", "2026-06-01")).toEqual({
      start: "2026-06-01",
      end: "2026-07-01",
    });
  });
});
