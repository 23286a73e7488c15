import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import type { GrafanaSettings, GrafanaSettingsUpdate } from "../lib/types";
import { grafanaKeys } from "./keys";

/** GET /api/grafana/settings (viewer): the base URL and the dashboards to embed. */
export async function getGrafanaSettings(signal?: AbortSignal): Promise<GrafanaSettings> {
  return unwrap(await apiClient.GET("/api/grafana/settings", { signal }));
}

export const grafanaSettingsQueryOptions = () =>
  queryOptions({
    queryKey: grafanaKeys.settings(),
    queryFn: ({ signal }) => getGrafanaSettings(signal),
  });

export function useGrafanaSettings() {
  return useQuery(grafanaSettingsQueryOptions());
}

/** PUT /api/grafana/settings (admin); the answer replaces the cached settings. */
export function useUpdateGrafanaSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: GrafanaSettingsUpdate): Promise<GrafanaSettings> =>
      unwrap(await apiClient.PUT("/api/grafana/settings", { body })),
    onSuccess: (saved) => queryClient.setQueryData(grafanaKeys.settings(), saved),
  });
}
