import type { Schemas } from "@/api/types";

export type GatewayHealth = Schemas["GatewayHealthRead"];
export type ConnectionState = Schemas["ConnectionState"];
export type PendingGateway = Schemas["PendingGatewayRead"];
export type GatewayAccept = Schemas["GatewayAccept"];
export type BridgeStatus = Schemas["BridgeStatus"];
