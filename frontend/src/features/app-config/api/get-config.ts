import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import type { Schemas } from "@/api/types";

export type ConfigOverview = Schemas["ConfigOverview"];

export const appConfigQueryKey = ["app-config"] as const;

/** GET /api/config (admin): the configuration overview; secrets appear only as "is it set". */
export async function getAppConfig(signal?: AbortSignal): Promise<ConfigOverview> {
  return unwrap(await apiClient.GET("/api/config", { signal }));
}

export const appConfigQueryOptions = () =>
  queryOptions({
    queryKey: appConfigQueryKey,
    queryFn: ({ signal }) => getAppConfig(signal),
  });

export function useAppConfig() {
  return useQuery(appConfigQueryOptions());
}
