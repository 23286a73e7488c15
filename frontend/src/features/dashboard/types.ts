import type { Schemas } from "@/api/types";

export type Summary = Schemas["Summary"];
export type EnergyResponse = Schemas["EnergyResponse"];
export type EnergyPoint = Schemas["EnergyPoint"];
export type Interval = Schemas["Interval"];
export type SeriesResponse = Schemas["SeriesResponse"];

/** What the dashboard shows: a whole site (its devices together) or one device. */
export type Scope = { kind: "site"; id: number } | { kind: "device"; id: number };
