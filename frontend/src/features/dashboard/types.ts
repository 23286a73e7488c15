import type { Schemas } from "@/api/types";

export type Summary = Schemas["Summary"];
export type EnergyResponse = Schemas["EnergyResponse"];
export type EnergyPoint = Schemas["EnergyPoint"];
export type Interval = Schemas["Interval"];
export type SeriesResponse = Schemas["SeriesResponse"];

/**
 * What the dashboard shows: a whole site (its supply points, or all its devices
 * when it has none), one device, or one virtual meter (a signed sum of meters).
 */
export type Scope =
  { kind: "site"; id: number } | { kind: "device"; id: number } | { kind: "virtual"; id: number };

/** A line of the power chart: a device, or a virtual meter (`virtual`). */
export type ChartMeter = { id: number; name: string; virtual?: boolean };
