import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import type { AcceptedDevice, GatewayAccept, PendingGateway } from "../types";
import { gatewayKeys } from "./keys";

/** GET /api/gateways/pending: gateways that published but are no device yet. */
export function usePendingGateways(includeDismissed = false, enabled = true) {
  return useQuery({
    queryKey: gatewayKeys.pending(includeDismissed),
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

/**
 * What else an accept or a dismissal changes (the sites and their devices), refreshed
 * by the caller: this feature does not know the sites feature, which shows its parts.
 */
export type RefreshOthers = () => Promise<unknown>;

/** After an accept or a dismissal: pending lists and gateway health move, and `others`. */
function useInvalidateGateways(others: RefreshOthers) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([queryClient.invalidateQueries({ queryKey: gatewayKeys.all }), others()]);
}

/** POST /api/gateways/pending/{id}/accept: the gateway becomes a device of the site. */
export function useAcceptGateway(refreshOthers: RefreshOthers) {
  const invalidate = useInvalidateGateways(refreshOthers);
  return useMutation({
    mutationFn: async ({
      gatewayId,
      ...body
    }: GatewayAccept & { gatewayId: string }): Promise<AcceptedDevice> =>
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
export function useDismissGateway(refreshOthers: RefreshOthers) {
  const invalidate = useInvalidateGateways(refreshOthers);
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
