/**
 * The billing feature's query keys: the one place they are spelled. Every
 * billing query sits under `billingKeys.all`, which a tariff change invalidates.
 */
export const billingKeys = {
  all: ["billing"] as const,
  /** GET /api/sites/{id}/bill?start&end */
  bill: (siteId: number | null, start: string, end: string) =>
    [...billingKeys.all, "bill", siteId, start, end] as const,
  /** GET /api/sites/{id}/costs/month */
  monthCost: (siteId: number | null) => [...billingKeys.all, "month", siteId] as const,
  /** GET /api/sites/{id}/costs/daily?start&end */
  dailyCosts: (siteId: number | null, start: string, end: string) =>
    [...billingKeys.all, "daily", siteId, start, end] as const,
  /** The tariff names a bill shows (GET /api/tariffs, read for billing's own use). */
  tariffNames: () => [...billingKeys.all, "tariff-names"] as const,
};
