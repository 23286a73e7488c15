import { describe, expect, it } from "vitest";
import { addDays, dayIn, lastDays } from "./days";

describe("days", () => {
  it("finds the calendar date of an instant in a zone", () => {
    const instant = Date.UTC(2026, 4, 1, 23, 30);
    expect(dayIn(instant)).toBe("2026-05-01");
    expect(dayIn(instant, "Africa/Johannesburg")).toBe("2026-05-02");
    expect(dayIn(instant, "America/New_York")).toBe("2026-05-01");
  });

  it("adds days across month ends", () => {
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
  });

  it("gives the last n days including today, end exclusive", () => {
    expect(lastDays(30, Date.UTC(2026, 4, 1, 12))).toEqual({
      start: "2026-04-02",
      end: "2026-05-02",
    });
  });
});
