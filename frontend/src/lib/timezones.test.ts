import { afterEach, describe, expect, it, vi } from "vitest";
import { browserTimeZone, supportedTimeZones, timeZoneNames } from "./timezones";

/** Make `Intl.DateTimeFormat().resolvedOptions()` answer `timeZone` (or throw). */
function browserZoneIs(timeZone: string | Error) {
  const resolvedOptions = () => {
    if (timeZone instanceof Error) throw timeZone;
    return { timeZone } as Intl.ResolvedDateTimeFormatOptions;
  };
  vi.spyOn(Intl, "DateTimeFormat").mockImplementation(
    () => ({ resolvedOptions }) as unknown as Intl.DateTimeFormat,
  );
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("timeZoneNames", () => {
  it("lists the browser's zones and adds UTC, which the browser's list omits", () => {
    vi.spyOn(Intl, "supportedValuesOf").mockReturnValue(["Africa/Johannesburg", "Europe/Berlin"]);
    expect(timeZoneNames()).toEqual(["Africa/Johannesburg", "Europe/Berlin", "UTC"]);
  });

  it("does not list UTC twice when the browser has it", () => {
    vi.spyOn(Intl, "supportedValuesOf").mockReturnValue(["Africa/Johannesburg", "UTC"]);
    expect(timeZoneNames()).toEqual(["Africa/Johannesburg", "UTC"]);
  });

  it("is only UTC where the browser cannot list its zones", () => {
    vi.stubGlobal("Intl", {}); // an older browser: no Intl.supportedValuesOf
    expect(supportedTimeZones()).toEqual([]);
    expect(timeZoneNames()).toEqual(["UTC"]);
  });

  it("returns a fresh list each time (callers may change it)", () => {
    const first = timeZoneNames();
    first.push("Mars/Olympus_Mons");
    expect(timeZoneNames()).not.toContain("Mars/Olympus_Mons");
  });
});

describe("browserTimeZone", () => {
  it.each([
    // [what the browser says, fallback, expected]
    ["Africa/Johannesburg", undefined, "Africa/Johannesburg"],
    ["Africa/Johannesburg", "UTC", "Africa/Johannesburg"],
    ["", undefined, undefined],
    ["", "UTC", "UTC"],
    [new Error("no Intl"), undefined, undefined],
    [new Error("no Intl"), "UTC", "UTC"],
  ] as const)("browser zone %s with fallback %s is %s", (zone, fallback, expected) => {
    browserZoneIs(zone);
    expect(fallback === undefined ? browserTimeZone() : browserTimeZone(fallback)).toBe(expected);
  });
});
