import { useQuery } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import type { BridgeStatus } from "../types";
import { gatewayKeys } from "./keys";

/** GET /api/gateways/bridge: is the MQTT bridge on and connected, and what has it seen. */
export function useBridgeStatus() {
  return useQuery({
    queryKey: gatewayKeys.bridge(),
    queryFn: async ({ signal }): Promise<BridgeStatus> =>
      unwrap(await apiClient.GET("/api/gateways/bridge", { signal })),
    refetchInterval: 10_000,
  });
}
