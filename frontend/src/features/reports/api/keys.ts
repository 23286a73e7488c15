/** The reports feature's query keys: the one place they are spelled. */
export const reportKeys = {
  all: ["reports"] as const,
  /** GET /api/sites/{id}/report?month */
  siteReport: (siteId: number, month: string) =>
    [...reportKeys.all, "site-report", siteId, month] as const,
  /** GET /api/report-schedules */
  schedules: () => [...reportKeys.all, "schedules"] as const,
  /** GET /api/report-runs */
  runs: () => [...reportKeys.all, "runs"] as const,
};
