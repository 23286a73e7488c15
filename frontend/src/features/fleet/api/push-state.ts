import { useQuery } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import type { PushState } from "../types";
import { fleetKeys } from "./keys";

/** GET /api/fleet/push-state: client mode, where the push to the admin stack stands. */
export function usePushState(enabled = true) {
  return useQuery({
    queryKey: fleetKeys.pushState(),
    queryFn: async ({ signal }): Promise<PushState[]> =>
      unwrap(await apiClient.GET("/api/fleet/push-state", { signal })),
    enabled,
    refetchInterval: 30_000,
  });
}
