/** A tenant's meters over time: which meter, and whether an assignment is current. */
import type { MeterKind, TenantMeter } from "../types";

export type MeterRef = { kind: MeterKind; id: number };

/** "device:5" / "virtual_meter:3": one value for a Select offering devices and virtual meters. */
export function meterKey(ref: MeterRef): string {
  return `${ref.kind}:${ref.id}`;
}

export function parseMeterKey(key: string): MeterRef | null {
  const match = /^(device|virtual_meter):(\d+)$/.exec(key);
  if (!match) return null;
  return { kind: match[1] as MeterRef["kind"], id: Number(match[2]) };
}

export function meterOf(assignment: Pick<TenantMeter, "device_id" | "virtual_meter_id">): MeterRef {
  return assignment.device_id !== null
    ? { kind: "device", id: assignment.device_id }
    : { kind: "virtual_meter", id: assignment.virtual_meter_id ?? 0 };
}

export type AssignmentState = "current" | "ended" | "upcoming";

/** Where `now` falls in [start, end): before it, inside it, or after it. */
export function assignmentState(
  assignment: Pick<TenantMeter, "start" | "end">,
  now: Date = new Date(),
): AssignmentState {
  const t = now.getTime();
  if (new Date(assignment.start).getTime() > t) return "upcoming";
  if (assignment.end !== null && new Date(assignment.end).getTime() <= t) return "ended";
  return "current";
}

/** The assignment's meter name: the API's, else looked up among the site's meters. */
