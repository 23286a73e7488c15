import { describe, expect, it } from "vitest";
import {
  daysSummary,
  isEndClock,
  rowsFromWindows,
  windowProblem,
  windowsFromRows,
  windowsProblem,
} from "./windows";

describe("windowProblem", () => {
  it.each([
    [{ days: ["mon"], start: "07:00", end: "18:00" }, null],
    [{ days: ["sat", "sun"], start: "00:00", end: "24:00" }, null],
    [{ days: [], start: "07:00", end: "18:00" }, "pick at least one day"],
    [{ days: ["mon"], start: "24:00", end: "24:00" }, "the start is HH:MM, 00:00 to 23:59"],
    [{ days: ["mon"], start: "7:00", end: "18:00" }, "the start is HH:MM, 00:00 to 23:59"],
    [{ days: ["mon"], start: "07:00", end: "24:01" }, "the end is HH:MM, up to 24:00"],
    [
      { days: ["mon"], start: "18:00", end: "07:00" },
      "the end must be after the start (use 24:00 for midnight)",
    ],
    [
      { days: ["mon"], start: "07:00", end: "07:00" },
      "the end must be after the start (use 24:00 for midnight)",
    ],
  ] as const)("%j → %s", (row, expected) => {
    expect(windowProblem({ ...row, days: [...row.days] })).toBe(expected);
  });

  it("allows 24:00 only as an end", () => {
    expect(isEndClock("24:00")).toBe(true);
    expect(isEndClock("23:59")).toBe(true);
    expect(isEndClock("25:00")).toBe(false);
  });
});

describe("windowsProblem", () => {
  it("names the first bad window", () => {
    expect(
      windowsProblem([
        { days: ["mon"], start: "07:00", end: "18:00" },
        { days: ["tue"], start: "09:00", end: "08:00" },
      ]),
    ).toBe("window 2: the end must be after the start (use 24:00 for midnight)");
  });

  it("refuses two windows that overlap on a shared day", () => {
    expect(
      windowsProblem([
        { days: ["mon", "tue"], start: "07:00", end: "12:00" },
        { days: ["tue", "wed"], start: "11:00", end: "18:00" },
      ]),
    ).toBe("windows 1 and 2 overlap on Tue");
  });

  it("allows windows that follow each other, or overlap on different days", () => {
    expect(
      windowsProblem([
        { days: ["mon"], start: "07:00", end: "12:00" },
        { days: ["mon"], start: "12:00", end: "24:00" },
        { days: ["tue"], start: "08:00", end: "13:00" },
      ]),
    ).toBeNull();
    expect(windowsProblem([])).toBeNull();
    expect(windowsProblem(undefined)).toBeNull();
  });
});

describe("windows ↔ rows", () => {
  it("sends the rows as the site's windows, days in the week's order; none is null", () => {
    expect(windowsFromRows([{ days: ["sun", "sat"], start: "00:00", end: "24:00" }])).toEqual({
      timezone: "site",
      windows: [{ days: ["sat", "sun"], start: "00:00", end: "24:00" }],
    });
    expect(windowsFromRows([])).toBeNull();
    expect(windowsFromRows(undefined)).toBeNull();
  });

  it("reads the API's windows back into rows", () => {
    expect(
      rowsFromWindows({
        timezone: "site",
        windows: [{ days: ["mon"], start: "07:00", end: "18:00" }],
      }),
    ).toEqual([{ days: ["mon"], start: "07:00", end: "18:00" }]);
    expect(rowsFromWindows(null)).toEqual([]);
  });

  it("summarises days as runs", () => {
    expect(daysSummary(["mon", "tue", "wed", "thu", "fri"])).toBe("Mon–Fri");
    expect(daysSummary(["sat", "sun"])).toBe("Sat, Sun");
    expect(daysSummary(["mon", "wed", "thu", "fri", "sun"])).toBe("Mon, Wed–Fri, Sun");
    expect(daysSummary(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])).toBe("every day");
  });
});
