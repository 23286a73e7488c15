import { useQuery } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import { downloadUrl } from "@/api/downloads";
import type { Download } from "@/components/downloads/DownloadButtons";
import type { Bill, DailyCosts, MonthCost } from "../lib/types";
import { billingKeys } from "./keys";

/** GET /api/sites/{id}/bill?start&end: local dates, `end` exclusive. */
export function useBill(siteId: number | null, start: string, end: string) {
  return useQuery({
    queryKey: billingKeys.bill(siteId, start, end),
    queryFn: async ({ signal }): Promise<Bill> =>
      unwrap(
        await apiClient.GET("/api/sites/{site_id}/bill", {
          params: { path: { site_id: siteId ?? 0 }, query: { start, end } },
          signal,
        }),
      ),
    enabled: siteId !== null && siteId > 0,
  });
}

/**
 * The bill as CSV. A plain link (GET with the session cookie) so the
 * browser downloads the server's attachment.
 */
export function billCsvUrl(siteId: number, start: string, end: string): string {
  return downloadUrl("/api/sites/{site_id}/bill.csv", { site_id: siteId }, { start, end });
}

/** The bill as CSV, PDF (made on the server) and Excel: plain links, like the CSV. */
export function billDownloads(siteId: number, start: string, end: string): Download[] {
  const path = { site_id: siteId };
  const query = { start, end };
  return [
    { format: "csv", href: billCsvUrl(siteId, start, end), testId: "bill-csv" },
    {
      format: "pdf",
      href: downloadUrl("/api/sites/{site_id}/bill.pdf", path, query),
      testId: "bill-pdf",
    },
    {
      format: "xlsx",
      href: downloadUrl("/api/sites/{site_id}/bill.xlsx", path, query),
      testId: "bill-xlsx",
    },
  ];
}

/** GET /api/sites/{id}/costs/month: this month so far and projected (incl. VAT). */
export function useMonthCost(siteId: number | null) {
  return useQuery({
    queryKey: billingKeys.monthCost(siteId),
    queryFn: async ({ signal }): Promise<MonthCost> =>
      unwrap(
        await apiClient.GET("/api/sites/{site_id}/costs/month", {
          params: { path: { site_id: siteId ?? 0 } },
          signal,
        }),
      ),
    enabled: siteId !== null && siteId > 0,
    refetchInterval: 5 * 60_000,
  });
}

/** GET /api/sites/{id}/costs/daily?start&end: energy cost per local day, by period (before VAT). */
export function useDailyCosts(siteId: number | null, start: string, end: string) {
  return useQuery({
    queryKey: billingKeys.dailyCosts(siteId, start, end),
    queryFn: async ({ signal }): Promise<DailyCosts> =>
      unwrap(
        await apiClient.GET("/api/sites/{site_id}/costs/daily", {
          params: { path: { site_id: siteId ?? 0 }, query: { start, end } },
          signal,
        }),
      ),
    enabled: siteId !== null && siteId > 0 && start < end,
  });
}
