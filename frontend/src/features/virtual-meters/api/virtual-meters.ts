import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiClient, ensureOk, unwrap } from "@/api/client";
import type { VirtualMeter, VirtualMeterWrite } from "../types";
import { virtualMeterKeys } from "./keys";

/** GET /api/sites/{id}/virtual-meters */
export function useVirtualMeters(siteId: number | undefined) {
  return useQuery({
    queryKey: virtualMeterKeys.ofSite(siteId ?? 0),
    queryFn: async ({ signal }): Promise<VirtualMeter[]> =>
      unwrap(
        await apiClient.GET("/api/sites/{site_id}/virtual-meters", {
          params: { path: { site_id: siteId ?? 0 } },
          signal,
        }),
      ),
    enabled: siteId !== undefined && siteId > 0,
  });
}

function useInvalidate() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: virtualMeterKeys.all });
}

/** POST /api/sites/{id}/virtual-meters (422 naming the term that is wrong). */
export function useCreateVirtualMeter(siteId: number) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: VirtualMeterWrite): Promise<VirtualMeter> =>
      unwrap(
        await apiClient.POST("/api/sites/{site_id}/virtual-meters", {
          params: { path: { site_id: siteId } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

/** PUT /api/virtual-meters/{id}: the whole meter again (name and terms). */
export function useUpdateVirtualMeter() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({
      id,
      ...body
    }: VirtualMeterWrite & { id: number }): Promise<VirtualMeter> =>
      unwrap(
        await apiClient.PUT("/api/virtual-meters/{meter_id}", {
          params: { path: { meter_id: id } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

/** DELETE /api/virtual-meters/{id}: 409 while another virtual meter uses it. */
export function useDeleteVirtualMeter() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (id: number): Promise<void> =>
      ensureOk(
        await apiClient.DELETE("/api/virtual-meters/{meter_id}", {
          params: { path: { meter_id: id } },
        }),
      ),
    onSuccess: invalidate,
  });
}
