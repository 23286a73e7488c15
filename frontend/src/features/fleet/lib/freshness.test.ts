import { describe, expect, it } from "vitest";
import { freshness, freshnessColor, lastSeenLabel, statusColor } from "./freshness";

const now = Date.UTC(2026, 4, 1, 12, 0);
const MIN = 60_000;
const ago = (ms: number) => new Date(now - ms).toISOString();

describe("freshnessColor", () => {
  it("is green under 15 minutes", () => {
    expect(freshnessColor(ago(0), now)).toBe("green");
    expect(freshnessColor(ago(14 * MIN + 59_000), now)).toBe("green");
  });

  it("is orange from 15 minutes to under a day", () => {
    expect(freshnessColor(ago(15 * MIN), now)).toBe("orange");
    expect(freshnessColor(ago(24 * 60 * MIN - 1), now)).toBe("orange");
  });

  it("is red from a day on", () => {
    expect(freshnessColor(ago(24 * 60 * MIN), now)).toBe("red");
    expect(freshnessColor(ago(40 * 24 * 60 * MIN), now)).toBe("red");
  });

  it("is grey (antd's default tag) when the stack never pushed", () => {
    expect(freshnessColor(null, now)).toBe("default");
    expect(freshnessColor(undefined, now)).toBe("default");
    expect(freshness("not a date", now)).toBe("never");
  });

  it("treats a time slightly in the future (clock skew) as fresh", () => {
    expect(freshnessColor(new Date(now + 30_000).toISOString(), now)).toBe("green");
  });
});

describe("lastSeenLabel", () => {
  it("says never, or how long ago", () => {
    expect(lastSeenLabel(null, now)).toBe("never");
    expect(lastSeenLabel(ago(4 * MIN), now)).toBe("4 min ago");
  });
});

describe("statusColor", () => {
  it("colours ingest answers by status code", () => {
    expect(statusColor(200)).toBe("green");
    expect(statusColor(429)).toBe("gold");
    expect(statusColor(401)).toBe("orange");
    expect(statusColor(413)).toBe("orange");
    expect(statusColor(500)).toBe("red");
  });
});
