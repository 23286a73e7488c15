import { useQuery } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import type { PushState } from "../types";

/** GET /api/fleet/push-state: client mode, where the push to the admin stack stands. */
export function usePushState(enabled = true) {
  return useQuery({
    queryKey: ["fleet", "push-state"] as const,
    queryFn: async ({ signal }): Promise<PushState[]> =>
      unwrap(await apiClient.GET("/api/fleet/push-state", { signal })),
    enabled,
    refetchInterval: 30_000,
  });
}
