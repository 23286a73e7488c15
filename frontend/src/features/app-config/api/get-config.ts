import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import type { Schemas } from "@/api/types";
import { appConfigKeys } from "./keys";

export type ConfigOverview = Schemas["ConfigOverview"];

/** GET /api/config (admin): the configuration overview; secrets appear only as "is it set". */
export async function getAppConfig(signal?: AbortSignal): Promise<ConfigOverview> {
  return unwrap(await apiClient.GET("/api/config", { signal }));
}

export const appConfigQueryOptions = () =>
  queryOptions({
    queryKey: appConfigKeys.all,
    queryFn: ({ signal }) => getAppConfig(signal),
  });

export function useAppConfig() {
  return useQuery(appConfigQueryOptions());
}
