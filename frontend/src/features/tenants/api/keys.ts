/** The tenants feature's query keys: the one place they are spelled. */
export const tenantKeys = {
  all: ["tenants"] as const,
  /** GET /api/sites/{id}/tenants */
  ofSite: (siteId: number) => [...tenantKeys.all, "site", siteId] as const,
  /** GET /api/tenants/{id}/meters */
  meters: (tenantId: number) => [...tenantKeys.all, tenantId, "meters"] as const,
  /** GET /api/tenants/{id}/bill?month */
  bill: (tenantId: number, month: string) => [...tenantKeys.all, tenantId, "bill", month] as const,
  /** GET /api/sites/{id}/tenant-bills?month */
  siteBills: (siteId: number, month: string) =>
    [...tenantKeys.all, "site", siteId, "bills", month] as const,
  /** GET /api/sites/{id}/reconciliation?month */
  reconciliation: (siteId: number, month: string) =>
    [...tenantKeys.all, "site", siteId, "reconciliation", month] as const,
  /** GET /api/me/tenant */
  mine: () => [...tenantKeys.all, "mine"] as const,
  /** GET /api/{devices|virtual-meters}/{id}/energy (the portal's chart) */
  energy: (kind: string, id: number, start: string, end: string) =>
    [...tenantKeys.all, "energy", kind, id, start, end] as const,
};
