import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiClient, ensureOk, unwrap } from "@/api/client";
import { downloadUrl } from "@/api/downloads";
import type { Download } from "@/components/downloads/DownloadButtons";
import type {
  MyTenant,
  Reconciliation,
  Tenant,
  TenantBill,
  TenantMeter,
  TenantMeterCreate,
  TenantUpdate,
  TenantWrite,
} from "../types";
import { tenantKeys } from "./keys";

/** GET /api/sites/{id}/tenants (admin) */
export function useSiteTenants(siteId: number | undefined) {
  return useQuery({
    queryKey: tenantKeys.ofSite(siteId ?? 0),
    queryFn: async ({ signal }): Promise<Tenant[]> =>
      unwrap(
        await apiClient.GET("/api/sites/{site_id}/tenants", {
          params: { path: { site_id: siteId ?? 0 } },
          signal,
        }),
      ),
    enabled: siteId !== undefined && siteId > 0,
  });
}

/** The tenants of several sites (admin): every one of them, and whether some are loading. */
export function useTenantsOfSites(siteIds: readonly number[]): {
  tenants: Tenant[];
  isPending: boolean;
} {
  return useQueries({
    queries: [...new Set(siteIds)].map((siteId) => ({
      queryKey: tenantKeys.ofSite(siteId),
      queryFn: async ({ signal }: { signal: AbortSignal }): Promise<Tenant[]> =>
        unwrap(
          await apiClient.GET("/api/sites/{site_id}/tenants", {
            params: { path: { site_id: siteId } },
            signal,
          }),
        ),
    })),
    combine: (results) => ({
      tenants: results.flatMap((r) => r.data ?? []),
      isPending: results.some((r) => r.isPending),
    }),
  });
}

function useInvalidateTenants() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: tenantKeys.all });
}

/** POST /api/sites/{id}/tenants (422 naming the rule's field) */
export function useCreateTenant(siteId: number) {
  const invalidate = useInvalidateTenants();
  return useMutation({
    mutationFn: async (body: TenantWrite): Promise<Tenant> =>
      unwrap(
        await apiClient.POST("/api/sites/{site_id}/tenants", {
          params: { path: { site_id: siteId } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

/** PATCH /api/tenants/{id} */
export function useUpdateTenant() {
  const invalidate = useInvalidateTenants();
  return useMutation({
    mutationFn: async ({ id, ...body }: TenantUpdate & { id: number }): Promise<Tenant> =>
      unwrap(
        await apiClient.PATCH("/api/tenants/{tenant_id}", {
          params: { path: { tenant_id: id } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

/** DELETE /api/tenants/{id}: 409 while it has meters assigned. */
export function useDeleteTenant() {
  const invalidate = useInvalidateTenants();
  return useMutation({
    mutationFn: async (id: number): Promise<void> =>
      ensureOk(
        await apiClient.DELETE("/api/tenants/{tenant_id}", {
          params: { path: { tenant_id: id } },
        }),
      ),
    onSuccess: invalidate,
  });
}

/** GET /api/tenants/{id}/meters: assignments, newest first. */
export function useTenantMeters(tenantId: number | undefined) {
  return useQuery({
    queryKey: tenantKeys.meters(tenantId ?? 0),
    queryFn: async ({ signal }): Promise<TenantMeter[]> =>
      unwrap(
        await apiClient.GET("/api/tenants/{tenant_id}/meters", {
          params: { path: { tenant_id: tenantId ?? 0 } },
          signal,
        }),
      ),
    enabled: tenantId !== undefined && tenantId > 0,
  });
}

/** POST /api/tenants/{id}/meters (422: overlapping, other site, end before start…) */
export function useAssignMeter(tenantId: number) {
  const invalidate = useInvalidateTenants();
  return useMutation({
    mutationFn: async (body: TenantMeterCreate): Promise<TenantMeter> =>
      unwrap(
        await apiClient.POST("/api/tenants/{tenant_id}/meters", {
          params: { path: { tenant_id: tenantId } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

/** PATCH /api/tenant-meters/{id} {end}: the tenant moves out of the meter at `end`. */
export function useEndAssignment() {
  const invalidate = useInvalidateTenants();
  return useMutation({
    mutationFn: async ({ id, end }: { id: number; end: string }): Promise<TenantMeter> =>
      unwrap(
        await apiClient.PATCH("/api/tenant-meters/{assignment_id}", {
          params: { path: { assignment_id: id } },
          body: { end },
        }),
      ),
    onSuccess: invalidate,
  });
}

/** DELETE /api/tenant-meters/{id} */
export function useDeleteAssignment() {
  const invalidate = useInvalidateTenants();
  return useMutation({
    mutationFn: async (id: number): Promise<void> =>
      ensureOk(
        await apiClient.DELETE("/api/tenant-meters/{assignment_id}", {
          params: { path: { assignment_id: id } },
        }),
      ),
    onSuccess: invalidate,
  });
}

/** GET /api/tenants/{id}/bill?month (a tenant user: their own; anyone else's is 404). */
export function useTenantBill(tenantId: number | undefined, month: string) {
  return useQuery({
    queryKey: tenantKeys.bill(tenantId ?? 0, month),
    queryFn: async ({ signal }): Promise<TenantBill> =>
      unwrap(
        await apiClient.GET("/api/tenants/{tenant_id}/bill", {
          params: { path: { tenant_id: tenantId ?? 0 }, query: { month } },
          signal,
        }),
      ),
    enabled: tenantId !== undefined && tenantId > 0,
  });
}

/** The bill as CSV: a plain link, so the browser downloads the server's attachment. */
export function tenantBillCsvUrl(tenantId: number, month: string): string {
  return downloadUrl("/api/tenants/{tenant_id}/bill.csv", { tenant_id: tenantId }, { month });
}

/**
 * A tenant's bill as CSV, PDF (made on the server, with the meters' registers) and Excel:
 * plain links. Their `data-testid`s: `tenant-bill-pdf` and so on, then `suffix`.
 */
export function tenantBillDownloads(tenantId: number, month: string, suffix = ""): Download[] {
  const path = { tenant_id: tenantId };
  return [
    { format: "csv", href: tenantBillCsvUrl(tenantId, month), testId: `tenant-bill-csv${suffix}` },
    {
      format: "pdf",
      href: downloadUrl("/api/tenants/{tenant_id}/bill.pdf", path, { month }),
      testId: `tenant-bill-pdf${suffix}`,
    },
    {
      format: "xlsx",
      href: downloadUrl("/api/tenants/{tenant_id}/bill.xlsx", path, { month }),
      testId: `tenant-bill-xlsx${suffix}`,
    },
  ];
}

/** The month's reconciliation as an Excel workbook (a plain link). */
export function reconciliationXlsxUrl(siteId: number, month: string): string {
  return downloadUrl("/api/sites/{site_id}/reconciliation.xlsx", { site_id: siteId }, { month });
}

/** GET /api/sites/{id}/tenant-bills?month: every tenant's bill of the month. */
export function useSiteTenantBills(siteId: number | undefined, month: string) {
  return useQuery({
    queryKey: tenantKeys.siteBills(siteId ?? 0, month),
    queryFn: async ({ signal }): Promise<TenantBill[]> =>
      unwrap(
        await apiClient.GET("/api/sites/{site_id}/tenant-bills", {
          params: { path: { site_id: siteId ?? 0 }, query: { month } },
          signal,
        }),
      ),
    enabled: siteId !== undefined && siteId > 0,
  });
}

/** GET /api/sites/{id}/reconciliation?month */
export function useReconciliation(siteId: number | undefined, month: string) {
  return useQuery({
    queryKey: tenantKeys.reconciliation(siteId ?? 0, month),
    queryFn: async ({ signal }): Promise<Reconciliation> =>
      unwrap(
        await apiClient.GET("/api/sites/{site_id}/reconciliation", {
          params: { path: { site_id: siteId ?? 0 }, query: { month } },
          signal,
        }),
      ),
    enabled: siteId !== undefined && siteId > 0,
  });
}

/** GET /api/me/tenant: the tenant user's tenant and its meters. */
export function useMyTenant(enabled = true) {
  return useQuery({
    queryKey: tenantKeys.mine(),
    queryFn: async ({ signal }): Promise<MyTenant> =>
      unwrap(await apiClient.GET("/api/me/tenant", { signal })),
    enabled,
  });
}
