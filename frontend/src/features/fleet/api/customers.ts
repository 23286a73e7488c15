import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import type { Customer, CustomerCreate, CustomerWithToken, FleetSite, IngestEvent } from "../types";
import { fleetKeys } from "./keys";

/** The customer list changes as stacks push: refresh it every minute while shown. */
const FLEET_REFRESH_MS = 60_000;

/** GET /api/fleet/customers */
export const customersQueryOptions = () =>
  queryOptions({
    queryKey: fleetKeys.customers(),
    queryFn: async ({ signal }): Promise<Customer[]> =>
      unwrap(await apiClient.GET("/api/fleet/customers", { signal })),
    refetchInterval: FLEET_REFRESH_MS,
  });

export function useCustomers() {
  return useQuery(customersQueryOptions());
}

/** GET /api/fleet/customers/{code} */
export function useCustomer(code: string) {
  return useQuery({
    queryKey: fleetKeys.customer(code),
    queryFn: async ({ signal }): Promise<Customer> =>
      unwrap(
        await apiClient.GET("/api/fleet/customers/{code}", {
          params: { path: { code } },
          signal,
        }),
      ),
    enabled: code !== "",
    refetchInterval: FLEET_REFRESH_MS,
  });
}

/** GET /api/fleet/customers/{code}/sites (each with its devices and their last reading). */
export function useCustomerSites(code: string) {
  return useQuery({
    queryKey: fleetKeys.customerSites(code),
    queryFn: async ({ signal }): Promise<FleetSite[]> =>
      unwrap(
        await apiClient.GET("/api/fleet/customers/{code}/sites", {
          params: { path: { code } },
          signal,
        }),
      ),
    enabled: code !== "",
    refetchInterval: FLEET_REFRESH_MS,
  });
}

/** GET /api/fleet/customers/{code}/events: the latest pushes, newest first. */
export function useCustomerEvents(code: string, limit = 50) {
  return useQuery({
    queryKey: fleetKeys.customerEvents(code, limit),
    queryFn: async ({ signal }): Promise<IngestEvent[]> =>
      unwrap(
        await apiClient.GET("/api/fleet/customers/{code}/events", {
          params: { path: { code }, query: { limit } },
          signal,
        }),
      ),
    enabled: code !== "",
    refetchInterval: FLEET_REFRESH_MS,
  });
}

function useInvalidateFleet() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: fleetKeys.all });
}

/** POST /api/fleet/customers: the answer holds the token, the only time it is shown. */
export function useCreateCustomer() {
  const invalidate = useInvalidateFleet();
  return useMutation({
    mutationFn: async (body: CustomerCreate): Promise<CustomerWithToken> =>
      unwrap(await apiClient.POST("/api/fleet/customers", { body })),
    onSuccess: invalidate,
  });
}

/** POST /api/fleet/customers/{code}/rotate-token: the new token works at once, the old one
 * for the grace period (PORTAL_FLEET_ADMIN__TOKEN_GRACE_HOURS). */
export function useRotateCustomerToken() {
  const invalidate = useInvalidateFleet();
  return useMutation({
    mutationFn: async (code: string): Promise<CustomerWithToken> =>
      unwrap(
        await apiClient.POST("/api/fleet/customers/{code}/rotate-token", {
          params: { path: { code } },
        }),
      ),
    onSuccess: invalidate,
  });
}

/** POST /api/fleet/customers/{code}/revoke-previous-token: the old token is refused at once. */
export function useRevokePreviousToken() {
  const invalidate = useInvalidateFleet();
  return useMutation({
    mutationFn: async (code: string): Promise<Customer> =>
      unwrap(
        await apiClient.POST("/api/fleet/customers/{code}/revoke-previous-token", {
          params: { path: { code } },
        }),
      ),
    onSuccess: invalidate,
  });
}

/** POST /api/fleet/customers/{code}/activate or …/deactivate. */
export function useSetCustomerActive() {
  const invalidate = useInvalidateFleet();
  return useMutation({
    mutationFn: async ({ code, active }: { code: string; active: boolean }): Promise<Customer> =>
      unwrap(
        active
          ? await apiClient.POST("/api/fleet/customers/{code}/activate", {
              params: { path: { code } },
            })
          : await apiClient.POST("/api/fleet/customers/{code}/deactivate", {
              params: { path: { code } },
            }),
      ),
    onSuccess: invalidate,
  });
}
