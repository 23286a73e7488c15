import { useQuery } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import { downloadUrl } from "@/api/downloads";
import { hasPendingDeliveries } from "../lib/runs";
import type { Run } from "../types";
import { reportKeys } from "./keys";

/** How often the list asks again while a delivery is pending (the outbox is sending). */
export const RUNS_REFRESH_MS = 3_000;

/** How many runs the page shows (newest first). */
export const RUNS_LIMIT = 50;

/** GET /api/report-runs (admin): what was sent, newest first; polled while mail is pending. */
export function useReportRuns() {
  return useQuery({
    queryKey: reportKeys.runs(),
    queryFn: async ({ signal }): Promise<Run[]> =>
      unwrap(
        await apiClient.GET("/api/report-runs", {
          params: { query: { limit: RUNS_LIMIT } },
          signal,
        }),
      ),
    refetchInterval: (query) => (hasPendingDeliveries(query.state.data) ? RUNS_REFRESH_MS : false),
  });
}

/** A file of a run, as it was sent: a plain link. */
export function runFileUrl(runId: number, fileId: number): string {
  return downloadUrl("/api/report-runs/{run_id}/files/{file_id}", {
    run_id: runId,
    file_id: fileId,
  });
}
