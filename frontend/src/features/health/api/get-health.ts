import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import type { Health } from "@/api/types";
import { healthKeys } from "./keys";

/**
 * GET /api/health. A 503 still carries a Health body (database unavailable),
 * which the card shows as a degraded state rather than as "unreachable".
 */
export async function getHealth(signal?: AbortSignal): Promise<Health> {
  const result = await apiClient.GET("/api/health", { signal });
  if (result.response.status === 503 && result.error !== undefined) {
    return result.error;
  }
  return unwrap(result);
}

export const healthQueryOptions = () =>
  queryOptions({
    queryKey: healthKeys.all,
    queryFn: ({ signal }) => getHealth(signal),
    refetchInterval: 30_000,
  });

export function useHealth() {
  return useQuery(healthQueryOptions());
}
