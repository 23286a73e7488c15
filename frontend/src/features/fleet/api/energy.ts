import { useQuery } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import type { DayRange } from "../lib/days";
import type { FleetEnergy } from "../types";
import { fleetKeys } from "./keys";

/** GET /api/fleet/energy: the whole fleet per day (UTC days). */
export function useFleetEnergy(range: DayRange) {
  return useQuery({
    queryKey: fleetKeys.energy(range),
    queryFn: async ({ signal }): Promise<FleetEnergy> =>
      unwrap(
        await apiClient.GET("/api/fleet/energy", {
          params: { query: { start: range.start, end: range.end, interval: "day" } },
          signal,
        }),
      ),
    refetchInterval: 5 * 60_000,
  });
}

/** GET /api/fleet/customers/{code}/energy: one customer's devices per day, in `timeZone`. */
export function useCustomerEnergy(code: string, range: DayRange, timeZone: string | undefined) {
  return useQuery({
    queryKey: fleetKeys.customerEnergy(code, range, timeZone),
    queryFn: async ({ signal }): Promise<FleetEnergy> =>
      unwrap(
        await apiClient.GET("/api/fleet/customers/{code}/energy", {
          params: {
            path: { code },
            query: {
              start: range.start,
              end: range.end,
              interval: "day",
              ...(timeZone ? { timezone: timeZone } : {}),
            },
          },
          signal,
        }),
      ),
    enabled: code !== "" && timeZone !== undefined,
    refetchInterval: 5 * 60_000,
  });
}
