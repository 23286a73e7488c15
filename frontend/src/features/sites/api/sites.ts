import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiClient, ensureOk, unwrap } from "@/api/client";
import type { Site, SiteCreate, SiteUpdate } from "../types";
import { deviceKeys, siteKeys } from "./keys";

/** GET /api/sites */
export const sitesQueryOptions = () =>
  queryOptions({
    queryKey: siteKeys.all,
    queryFn: async ({ signal }): Promise<Site[]> =>
      unwrap(await apiClient.GET("/api/sites", { signal })),
  });

export function useSites() {
  return useQuery(sitesQueryOptions());
}

/** GET /api/sites/{id} */
export function useSite(siteId: number) {
  return useQuery({
    queryKey: siteKeys.detail(siteId),
    queryFn: async ({ signal }): Promise<Site> =>
      unwrap(
        await apiClient.GET("/api/sites/{site_id}", {
          params: { path: { site_id: siteId } },
          signal,
        }),
      ),
    enabled: Number.isInteger(siteId) && siteId > 0,
  });
}

/** Sites, site details and device lists all hang together (device counts, moves). */
export function useInvalidateSites() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: siteKeys.all }),
      queryClient.invalidateQueries({ queryKey: deviceKeys.all }),
    ]);
}

/** POST /api/sites */
export function useCreateSite() {
  const invalidate = useInvalidateSites();
  return useMutation({
    mutationFn: async (body: SiteCreate): Promise<Site> =>
      unwrap(await apiClient.POST("/api/sites", { body })),
    onSuccess: invalidate,
  });
}

/** PATCH /api/sites/{id} */
export function useUpdateSite() {
  const invalidate = useInvalidateSites();
  return useMutation({
    mutationFn: async ({ id, ...body }: SiteUpdate & { id: number }): Promise<Site> =>
      unwrap(
        await apiClient.PATCH("/api/sites/{site_id}", { params: { path: { site_id: id } }, body }),
      ),
    onSuccess: invalidate,
  });
}

/** DELETE /api/sites/{id}: 409 while the site still has devices. */
export function useDeleteSite() {
  const invalidate = useInvalidateSites();
  return useMutation({
    mutationFn: async (id: number): Promise<void> =>
      ensureOk(
        await apiClient.DELETE("/api/sites/{site_id}", { params: { path: { site_id: id } } }),
      ),
    onSuccess: invalidate,
  });
}
