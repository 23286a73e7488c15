import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiClient, ensureOk, unwrap } from "@/api/client";
import type { Run, Schedule, ScheduleCreate, ScheduleUpdate, SendNow } from "../types";
import { reportKeys } from "./keys";

/** GET /api/report-schedules (admin), with each one's next due moment. */
export function useReportSchedules() {
  return useQuery({
    queryKey: reportKeys.schedules(),
    queryFn: async ({ signal }): Promise<Schedule[]> =>
      unwrap(await apiClient.GET("/api/report-schedules", { signal })),
  });
}

/** A schedule change moves its next due moment; a send adds a run: refresh both lists. */
function useInvalidateReports() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: reportKeys.schedules() }),
      queryClient.invalidateQueries({ queryKey: reportKeys.runs() }),
    ]);
}

/** POST /api/report-schedules (422 naming the field: `contents`, `recipients`, `tenant_id`…) */
export function useCreateSchedule() {
  const invalidate = useInvalidateReports();
  return useMutation({
    mutationFn: async (body: ScheduleCreate): Promise<Schedule> =>
      unwrap(await apiClient.POST("/api/report-schedules", { body })),
    onSuccess: invalidate,
  });
}

/** PATCH /api/report-schedules/{id}: the site and the tenant stay. */
export function useUpdateSchedule() {
  const invalidate = useInvalidateReports();
  return useMutation({
    mutationFn: async ({ id, ...body }: ScheduleUpdate & { id: number }): Promise<Schedule> =>
      unwrap(
        await apiClient.PATCH("/api/report-schedules/{schedule_id}", {
          params: { path: { schedule_id: id } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

/** DELETE /api/report-schedules/{id}: what it sent stays in the runs. */
export function useDeleteSchedule() {
  const invalidate = useInvalidateReports();
  return useMutation({
    mutationFn: async (id: number): Promise<void> =>
      ensureOk(
        await apiClient.DELETE("/api/report-schedules/{schedule_id}", {
          params: { path: { schedule_id: id } },
        }),
      ),
    onSuccess: invalidate,
  });
}

/** POST /api/report-schedules/{id}/send {month | week} → 202 with the run (422: not ended). */
export function useSendNow() {
  const invalidate = useInvalidateReports();
  return useMutation({
    mutationFn: async ({ id, ...body }: SendNow & { id: number }): Promise<Run> =>
      unwrap(
        await apiClient.POST("/api/report-schedules/{schedule_id}/send", {
          params: { path: { schedule_id: id } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}
