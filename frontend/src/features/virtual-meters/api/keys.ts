/** The virtual meters feature's query keys, spelled once. */
export const virtualMeterKeys = {
  all: ["virtual-meters"] as const,
  /** GET /api/sites/{id}/virtual-meters */
  ofSite: (siteId: number) => [...virtualMeterKeys.all, "site", siteId] as const,
};
