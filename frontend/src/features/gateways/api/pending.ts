import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import type { Device } from "@/features/sites/types";
import type { GatewayAccept, PendingGateway } from "../types";

export const pendingGatewaysQueryKey = (includeDismissed: boolean) =>
  ["gateways", "pending", includeDismissed] as const;

/** GET /api/gateways/pending: gateways that published but are no device yet. */
export function usePendingGateways(includeDismissed = false, enabled = true) {
  return useQuery({
    queryKey: pendingGatewaysQueryKey(includeDismissed),
    queryFn: async ({ signal }): Promise<PendingGateway[]> =>
      unwrap(
        await apiClient.GET("/api/gateways/pending", {
          params: { query: { include_dismissed: includeDismissed } },
          signal,
        }),
      ),
    refetchInterval: 10_000,
    enabled,
  });
}

/** After an accept or a dismissal: pending lists, gateway health, sites and devices all move. */
function useInvalidateGateways() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ["gateways"] }),
      queryClient.invalidateQueries({ queryKey: ["sites"] }),
      queryClient.invalidateQueries({ queryKey: ["devices"] }),
    ]);
}

/** POST /api/gateways/pending/{id}/accept: the gateway becomes a device of the site. */
export function useAcceptGateway() {
  const invalidate = useInvalidateGateways();
  return useMutation({
    mutationFn: async ({
      gatewayId,
      ...body
    }: GatewayAccept & { gatewayId: string }): Promise<Device> =>
      unwrap(
        await apiClient.POST("/api/gateways/pending/{gateway_id}/accept", {
          params: { path: { gateway_id: gatewayId } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

/** POST /api/gateways/pending/{id}/dismiss: out of the list (still counted, still acceptable). */
export function useDismissGateway() {
  const invalidate = useInvalidateGateways();
  return useMutation({
    mutationFn: async (gatewayId: string): Promise<PendingGateway> =>
      unwrap(
        await apiClient.POST("/api/gateways/pending/{gateway_id}/dismiss", {
          params: { path: { gateway_id: gatewayId } },
        }),
      ),
    onSuccess: invalidate,
  });
}
