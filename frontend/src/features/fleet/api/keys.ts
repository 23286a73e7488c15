import type { DayRange } from "../lib/days";

/** The fleet feature's query keys: the one place they are spelled. */
export const fleetKeys = {
  /** Everything under it is refreshed together after a change to a customer. */
  all: ["fleet"] as const,
  /** GET /api/fleet/customers */
  customers: () => [...fleetKeys.all, "customers"] as const,
  /** GET /api/fleet/customers/{code}; the customer's own queries sit under it. */
  customer: (code: string) => [...fleetKeys.customers(), code] as const,
  customerSites: (code: string) => [...fleetKeys.customer(code), "sites"] as const,
  customerEvents: (code: string, limit: number) =>
    [...fleetKeys.customer(code), "events", limit] as const,
  customerEnergy: (code: string, range: DayRange, timeZone: string | undefined) =>
    [...fleetKeys.customer(code), "energy", range.start, range.end, timeZone] as const,
  /** GET /api/fleet/energy */
  energy: (range: DayRange) => [...fleetKeys.all, "energy", range.start, range.end] as const,
  /** GET /api/fleet/push-state */
  pushState: () => [...fleetKeys.all, "push-state"] as const,
};
