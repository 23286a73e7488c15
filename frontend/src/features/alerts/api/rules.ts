import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiClient, ensureOk, unwrap } from "@/api/client";
import type { Device } from "@/features/sites";
import type {
  AlertRule,
  AlertRuleUpdate,
  AlertRuleWrite,
  BacktestRequest,
  BacktestResult,
} from "../types";
import { alertKeys, alertRuleKeys } from "./keys";

/** GET /api/alert-rules (admin), with each rule's firing count. */
export function useAlertRules() {
  return useQuery({
    queryKey: alertRuleKeys.list(),
    queryFn: async ({ signal }): Promise<AlertRule[]> =>
      unwrap(await apiClient.GET("/api/alert-rules", { signal })),
  });
}

/** GET /api/devices: every device, to name the rules' device subjects and find their sites. */
export function useAllDevices() {
  return useQuery({
    queryKey: alertRuleKeys.devices(),
    queryFn: async ({ signal }): Promise<Device[]> =>
      unwrap(await apiClient.GET("/api/devices", { signal })),
  });
}

/** A rule change (disabling, deleting) may resolve alerts: refresh rules and alerts. */
function useInvalidateRules() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: alertRuleKeys.all }),
      queryClient.invalidateQueries({ queryKey: alertKeys.all }),
    ]);
}

/** POST /api/alert-rules (422 naming the field: `params.threshold`, `quiet_hours.windows`…) */
export function useCreateAlertRule() {
  const invalidate = useInvalidateRules();
  return useMutation({
    mutationFn: async (body: AlertRuleWrite): Promise<AlertRule> =>
      unwrap(await apiClient.POST("/api/alert-rules", { body })),
    onSuccess: invalidate,
  });
}

/** PATCH /api/alert-rules/{id}: the subject and the kind stay. */
export function useUpdateAlertRule() {
  const invalidate = useInvalidateRules();
  return useMutation({
    mutationFn: async ({ id, ...body }: AlertRuleUpdate & { id: number }): Promise<AlertRule> =>
      unwrap(
        await apiClient.PATCH("/api/alert-rules/{rule_id}", {
          params: { path: { rule_id: id } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

/** DELETE /api/alert-rules/{id}: its open alerts resolve quietly, their history stays. */
export function useDeleteAlertRule() {
  const invalidate = useInvalidateRules();
  return useMutation({
    mutationFn: async (id: number): Promise<void> =>
      ensureOk(
        await apiClient.DELETE("/api/alert-rules/{rule_id}", {
          params: { path: { rule_id: id } },
        }),
      ),
    onSuccess: invalidate,
  });
}

/** POST /api/alert-rules/backtest: what the unsaved rule would have done over the last days. */
export function useBacktest() {
  return useMutation({
    mutationFn: async (body: BacktestRequest): Promise<BacktestResult> =>
      unwrap(await apiClient.POST("/api/alert-rules/backtest", { body })),
  });
}
