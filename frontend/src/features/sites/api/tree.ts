import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import type { PlainRange } from "../lib/dates";
import type { SiteTree } from "../types";
import { siteKeys } from "./keys";

/** GET /api/sites/{id}/tree?start&end: energy per node, remainders, discrepancies. */
export function useSiteTree(siteId: number, range: PlainRange) {
  return useQuery({
    queryKey: siteKeys.tree(siteId, range.start, range.end),
    queryFn: async ({ signal }): Promise<SiteTree> =>
      unwrap(
        await apiClient.GET("/api/sites/{site_id}/tree", {
          params: { path: { site_id: siteId }, query: { start: range.start, end: range.end } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

/** The CSV of the same, one row per device and day or month (a plain link: the server names the file). */
export function treeCsvHref(siteId: number, range: PlainRange, interval: "day" | "month"): string {
  const query = new URLSearchParams({ start: range.start, end: range.end, interval });
  return `/api/sites/${siteId}/tree.csv?${query.toString()}`;
}
