import { describe, expect, it } from "vitest";
import { localInputValue, siteInstant, wallClock, zoneOffsetMinutes } from "./instants";

describe("siteInstant", () => {
  it.each([
    ["2026-06-15T12:00", "Africa/Johannesburg", "2026-06-15T12:00:00+02:00"],
    ["2026-06-15T12:00", "UTC", "2026-06-15T12:00:00+00:00"],
    ["2026-01-15T08:30", "Europe/Berlin", "2026-01-15T08:30:00+01:00"],
    ["2026-07-15T08:30", "Europe/Berlin", "2026-07-15T08:30:00+02:00"],
    ["2026-03-29T03:30", "Europe/Berlin", "2026-03-29T03:30:00+02:00"], // just after the switch
    ["2026-06-15T12:00", "America/St_Johns", "2026-06-15T12:00:00-02:30"],
  ])("%s in %s → %s", (local, zone, instant) => {
    expect(siteInstant(local, zone)).toBe(instant);
  });

  it("refuses what is not a local date and time", () => {
    expect(siteInstant("15/06/2026 12:00", "UTC")).toBeNull();
    expect(siteInstant("", "UTC")).toBeNull();
  });

  it("is the inverse of localInputValue", () => {
    const instant = siteInstant("2026-06-15T12:00", "Africa/Johannesburg")!;
    expect(localInputValue(instant, "Africa/Johannesburg")).toBe("2026-06-15T12:00");
    expect(new Date(instant).toISOString()).toBe("2026-06-15T10:00:00.000Z");
  });

  it("knows a zone's offset", () => {
    expect(zoneOffsetMinutes(Date.UTC(2026, 5, 1), "Africa/Johannesburg")).toBe(120);
  });
});

describe("wallClock", () => {
  it("shows the time as the API sent it (the site's clock)", () => {
    expect(wallClock("2026-06-16T00:00:00+02:00")).toBe("2026-06-16 00:00");
    expect(wallClock(null)).toBe("—");
  });
});
