/** Report runs (what was sent): their trigger and how their deliveries went. */
import type { DeliveryStatus, Run } from "../types";

/** True while some recipient of some run has not been sent to yet (the list keeps asking). */
export function hasPendingDeliveries(runs: readonly Run[] | undefined): boolean {
  return (runs ?? []).some((run) => run.deliveries.some((d) => d.status === "pending"));
}

/** "Scheduled", or "Sent now by ada@example.com". */
export function triggerLabel(run: Pick<Run, "trigger" | "requested_by">): string {
  if (run.trigger === "schedule") return "Scheduled";
  return run.requested_by ? `Sent now by ${run.requested_by}` : "Sent now";
}

export type RunState = "pending" | "sent" | "partial" | "dead" | "none";

export type RunSummary = Record<DeliveryStatus, number> & {
  total: number;
  state: RunState;
  /** "Sent to 2 recipients", "Sending: 1 of 2 pending", "Failed for 1 of 2 recipients"… */
  label: string;
};

function recipients(n: number): string {
  return n === 1 ? "1 recipient" : `${n} recipients`;
}

/**
 * How a run's deliveries went: still sending while any is pending, then sent (all), dead
 * (none got through) or partial (some did, some died).
 */
export function runStatusSummary(run: Pick<Run, "deliveries">): RunSummary {
  const counts: Record<DeliveryStatus, number> = { pending: 0, sent: 0, dead: 0 };
  for (const d of run.deliveries) counts[d.status] += 1;
  const total = run.deliveries.length;
  let state: RunState;
  let label: string;
  if (total === 0) {
    state = "none";
    label = "No recipients";
  } else if (counts.pending > 0) {
    state = "pending";
    label = `Sending: ${counts.pending} of ${total} pending`;
  } else if (counts.dead === 0) {
    state = "sent";
    label = `Sent to ${recipients(total)}`;
  } else if (counts.sent === 0) {
    state = "dead";
    label = `Failed for ${total === 1 ? "the recipient" : `all ${total} recipients`}`;
  } else {
    state = "partial";
    label = `Failed for ${counts.dead} of ${recipients(total)}`;
  }
  return { ...counts, total, state, label };
}

/** The size of a file: "182 kB", "1.2 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${Math.round(bytes / 1000)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
