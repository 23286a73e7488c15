import { describe, expect, it } from "vitest";
import { formatAge, readingAgeStatus } from "./reading-age";

const now = Date.UTC(2026, 4, 1, 12, 0);
const ago = (ms: number) => new Date(now - ms).toISOString();
const MIN = 60_000;

describe("readingAgeStatus", () => {
  it("is green under 15 minutes, orange under a day, red older or never", () => {
    expect(readingAgeStatus(ago(14 * MIN + 59_000), now)).toBe("fresh");
    expect(readingAgeStatus(ago(15 * MIN), now)).toBe("stale");
    expect(readingAgeStatus(ago(24 * 60 * MIN - 1), now)).toBe("stale");
    expect(readingAgeStatus(ago(24 * 60 * MIN), now)).toBe("old");
    expect(readingAgeStatus(null, now)).toBe("none");
  });
});

describe("formatAge", () => {
  it("reads like a person would say it", () => {
    expect(formatAge(ago(20_000), now)).toBe("just now");
    expect(formatAge(ago(4 * MIN), now)).toBe("4 min ago");
    expect(formatAge(ago(125 * MIN), now)).toBe("2 h 5 min ago");
    expect(formatAge(ago(10 * 60 * MIN), now)).toBe("10 h ago");
    expect(formatAge(ago(3 * 24 * 60 * MIN), now)).toBe("3 days ago");
    expect(formatAge(undefined, now)).toBe("no readings");
  });
});
