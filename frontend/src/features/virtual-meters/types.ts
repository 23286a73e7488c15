import type { Schemas } from "@/api/types";

export type VirtualMeter = Schemas["VirtualMeterRead"];
export type VirtualMeterWrite = Schemas["VirtualMeterWrite"];

/** What a virtual meter can be made of, from the site's device list. */
export type MeterChoice = { id: number; name: string };
