import { useQuery } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import type { GatewayHealth } from "../types";
import { gatewayKeys } from "./keys";

/** GET /api/gateways/health: every device with an MQTT gateway (or one site's), refreshed. */
export function useGatewayHealth(siteId?: number) {
  return useQuery({
    queryKey: gatewayKeys.health(siteId),
    queryFn: async ({ signal }): Promise<GatewayHealth[]> =>
      unwrap(
        await apiClient.GET("/api/gateways/health", {
          params: { query: siteId === undefined ? {} : { site_id: siteId } },
          signal,
        }),
      ),
    refetchInterval: 10_000,
  });
}
