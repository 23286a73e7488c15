import { describe, expect, it } from "vitest";
import { aRun } from "../testing/fixtures";
import type { RunDelivery } from "../types";
import { formatBytes, hasPendingDeliveries, runStatusSummary, triggerLabel } from "./runs";

function delivery(status: RunDelivery["status"], recipient = "a@example.com"): RunDelivery {
  return { recipient, status, attempts: 1, sent_at: null, last_error: null };
}

describe("runStatusSummary", () => {
  it.each<[RunDelivery["status"][], string, string]>([
    [[], "none", "No recipients"],
    [["pending", "sent"], "pending", "Sending: 1 of 2 pending"],
    [["sent", "sent"], "sent", "Sent to 2 recipients"],
    [["sent"], "sent", "Sent to 1 recipient"],
    [["dead"], "dead", "Failed for the recipient"],
    [["dead", "dead"], "dead", "Failed for all 2 recipients"],
    [["sent", "dead", "sent"], "partial", "Failed for 1 of 3 recipients"],
  ])("%j → %s", (statuses, state, label) => {
    const summary = runStatusSummary({ deliveries: statuses.map((s) => delivery(s)) });
    expect(summary.state).toBe(state);
    expect(summary.label).toBe(label);
    expect(summary.total).toBe(statuses.length);
  });
});

describe("hasPendingDeliveries", () => {
  it("is true while any recipient of any run waits", () => {
    expect(hasPendingDeliveries(undefined)).toBe(false);
    expect(hasPendingDeliveries([aRun])).toBe(false);
    expect(
      hasPendingDeliveries([aRun, { ...aRun, id: 2, deliveries: [delivery("pending")] }]),
    ).toBe(true);
  });
});

describe("triggerLabel", () => {
  it("names who pressed send now", () => {
    expect(triggerLabel({ trigger: "schedule", requested_by: null })).toBe("Scheduled");
    expect(triggerLabel({ trigger: "manual", requested_by: "admin@localhost" })).toBe(
      "Sent now by admin@localhost",
    );
  });
});

describe("formatBytes", () => {
  it("rounds to a readable unit", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(182_400)).toBe("182 kB");
    expect(formatBytes(1_234_567)).toBe("1.2 MB");
  });
});
