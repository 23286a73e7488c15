import { useQuery } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import { downloadUrl } from "@/api/downloads";
import type { SiteReport } from "../types";
import { reportKeys } from "./keys";

/** GET /api/sites/{id}/report?month=YYYY-MM: the monthly site report's figures. */
export function useSiteReport(siteId: number | undefined, month: string) {
  return useQuery({
    queryKey: reportKeys.siteReport(siteId ?? 0, month),
    queryFn: async ({ signal }): Promise<SiteReport> =>
      unwrap(
        await apiClient.GET("/api/sites/{site_id}/report", {
          params: { path: { site_id: siteId ?? 0 }, query: { month } },
          signal,
        }),
      ),
    enabled: siteId !== undefined && siteId > 0,
  });
}

/** The same report as PDF: a plain link (GET with the session cookie). */
export function siteReportPdfUrl(siteId: number, month: string): string {
  return downloadUrl("/api/sites/{site_id}/report.pdf", { site_id: siteId }, { month });
}
