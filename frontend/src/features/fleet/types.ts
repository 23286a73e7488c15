import type { Schemas } from "@/api/types";

export type Customer = Schemas["CustomerRead"];
export type CustomerWithToken = Schemas["CustomerWithToken"];
export type CustomerCreate = Schemas["CustomerCreate"];
export type IngestEvent = Schemas["IngestEventRead"];
export type FleetSite = Schemas["FleetSiteRead"];
export type FleetDevice = Schemas["FleetDeviceRead"];
export type FleetEnergy = Schemas["EnergyResponse"];
export type PushState = Schemas["PushStateRead"];
export type RunMode = Schemas["RunMode"];
