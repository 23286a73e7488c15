import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import type { Alert, AlertDetail, AlertSummary } from "../types";
import { alertKeys } from "./keys";
import type { AlertListFilters } from "./keys";

/** How often the header badge asks again. */
export const SUMMARY_REFRESH_MS = 15_000;

/** How often the alerts page asks again (alerts fire and resolve on their own). */
export const ALERTS_REFRESH_MS = 30_000;

/** GET /api/alerts?state&site_id&severity&since&until (viewer), newest first. */
export function useAlerts(filters: AlertListFilters) {
  return useQuery({
    queryKey: alertKeys.list(filters),
    queryFn: async ({ signal }): Promise<Alert[]> =>
      unwrap(await apiClient.GET("/api/alerts", { params: { query: filters }, signal })),
    refetchInterval: ALERTS_REFRESH_MS,
  });
}

/** GET /api/alerts/{id}: the alert and its events. */
export function useAlert(alertId: number) {
  return useQuery({
    queryKey: alertKeys.detail(alertId),
    queryFn: async ({ signal }): Promise<AlertDetail> =>
      unwrap(
        await apiClient.GET("/api/alerts/{alert_id}", {
          params: { path: { alert_id: alertId } },
          signal,
        }),
      ),
    enabled: Number.isInteger(alertId) && alertId > 0,
  });
}

/**
 * GET /api/alerts/summary: the badge's count, every 15 s. `enabled`: false for a tenant user
 * (the API answers 403 to them).
 */
export function useAlertSummary(enabled: boolean) {
  return useQuery({
    queryKey: alertKeys.summary(),
    queryFn: async ({ signal }): Promise<AlertSummary> =>
      unwrap(await apiClient.GET("/api/alerts/summary", { signal })),
    enabled,
    refetchInterval: SUMMARY_REFRESH_MS,
  });
}

/** POST /api/alerts/{id}/acknowledge {note}: 409 when it resolved or was acknowledged already. */
export function useAcknowledgeAlert() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, note }: { id: number; note: string | null }): Promise<AlertDetail> =>
      unwrap(
        await apiClient.POST("/api/alerts/{alert_id}/acknowledge", {
          params: { path: { alert_id: id } },
          body: { note },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: alertKeys.all }),
  });
}
