import type { Schemas } from "@/api/types";

export type GatewayHealth = Schemas["GatewayHealthRead"];
export type ConnectionState = Schemas["ConnectionState"];
export type PendingGateway = Schemas["PendingGatewayRead"];
export type GatewayAccept = Schemas["GatewayAccept"];
export type BridgeStatus = Schemas["BridgeStatus"];
/** What an accepted gateway becomes: a device of the site. */
export type AcceptedDevice = Schemas["DeviceRead"];
/** A site a gateway can be accepted into. */
export type SiteChoice = Pick<Schemas["SiteRead"], "id" | "name">;
