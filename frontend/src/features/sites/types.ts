import type { Schemas } from "@/api/types";

export type Site = Schemas["SiteRead"];
export type SiteCreate = Schemas["SiteCreate"];
export type SiteUpdate = Schemas["SiteUpdate"];
export type Device = Schemas["DeviceRead"];
export type DeviceCreate = Schemas["DeviceCreate"];
export type DeviceUpdate = Schemas["DeviceUpdate"];
export type DeviceToken = Schemas["DeviceTokenRead"];
export type DeviceTokenIssued = Schemas["DeviceTokenIssued"];
export type DeviceRole = Schemas["DeviceRead"]["role"];
export type SiteTree = Schemas["MeteringTree"];
export type SiteTreeNode = Schemas["TreeNode"];
export type DiscrepancyWarning = Schemas["DiscrepancyWarning"];
