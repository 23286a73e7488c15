import { describe, expect, it } from "vitest";
import { assignmentState, meterKey, meterOf, parseMeterKey } from "./meters";

describe("meter keys", () => {
  it("round-trips devices and virtual meters", () => {
    for (const ref of [
      { kind: "device", id: 5 },
      { kind: "virtual_meter", id: 12 },
    ] as const)
      expect(parseMeterKey(meterKey(ref))).toEqual(ref);
  });

  it.each(["", "device:", "virtual:3", "device:x", "device:5:6"])("refuses %j", (key) => {
    expect(parseMeterKey(key)).toBeNull();
  });

  it("reads the meter of an assignment", () => {
    expect(meterOf({ device_id: 5, virtual_meter_id: null })).toEqual({ kind: "device", id: 5 });
    expect(meterOf({ device_id: null, virtual_meter_id: 2 })).toEqual({
      kind: "virtual_meter",
      id: 2,
    });
  });
});

describe("assignmentState", () => {
  const now = new Date("2026-06-15T10:00:00Z");
  it.each([
    ["2026-06-01T00:00:00+02:00", null, "current"],
    ["2026-06-01T00:00:00+02:00", "2026-06-15T12:00:00+02:00", "ended"], // 10:00 UTC: end is exclusive
    ["2026-06-01T00:00:00+02:00", "2026-06-15T12:00:01+02:00", "current"],
    ["2026-06-16T00:00:00+02:00", null, "upcoming"],
  ] as const)("[%s, %s) → %s", (start, end, state) => {
    expect(assignmentState({ start, end }, now)).toBe(state);
  });
});
