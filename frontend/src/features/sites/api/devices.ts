import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiClient, ensureOk, unwrap } from "@/api/client";
import type { Device, DeviceCreate, DeviceToken, DeviceTokenIssued, DeviceUpdate } from "../types";
import { deviceKeys } from "./keys";
import { useInvalidateSites } from "./sites";

/** GET /api/sites/{id}/devices (with each device's last reading time). */
export const siteDevicesQueryOptions = (siteId: number) =>
  queryOptions({
    queryKey: deviceKeys.ofSite(siteId),
    queryFn: async ({ signal }): Promise<Device[]> =>
      unwrap(
        await apiClient.GET("/api/sites/{site_id}/devices", {
          params: { path: { site_id: siteId } },
          signal,
        }),
      ),
  });

export function useSiteDevices(siteId: number | undefined) {
  return useQuery({
    ...siteDevicesQueryOptions(siteId ?? 0),
    enabled: siteId !== undefined && siteId > 0,
  });
}

/** POST /api/sites/{id}/devices (422 on `serial` when another device has it). */
export function useCreateDevice() {
  const invalidate = useInvalidateSites();
  return useMutation({
    mutationFn: async ({ siteId, ...body }: DeviceCreate & { siteId: number }): Promise<Device> =>
      unwrap(
        await apiClient.POST("/api/sites/{site_id}/devices", {
          params: { path: { site_id: siteId } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

/** PATCH /api/devices/{id}: rename, new serial or model, or move to another site. */
export function useUpdateDevice() {
  const invalidate = useInvalidateSites();
  return useMutation({
    mutationFn: async ({ id, ...body }: DeviceUpdate & { id: number }): Promise<Device> =>
      unwrap(
        await apiClient.PATCH("/api/devices/{device_id}", {
          params: { path: { device_id: id } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

/** DELETE /api/devices/{id}: with its tokens and all its measurements. */
export function useDeleteDevice() {
  const invalidate = useInvalidateSites();
  return useMutation({
    mutationFn: async (id: number): Promise<void> =>
      ensureOk(
        await apiClient.DELETE("/api/devices/{device_id}", {
          params: { path: { device_id: id } },
        }),
      ),
    onSuccess: invalidate,
  });
}

/** GET /api/devices/{id}/tokens (admin). */
export function useDeviceTokens(deviceId: number | undefined) {
  return useQuery({
    queryKey: deviceKeys.tokens(deviceId ?? 0),
    queryFn: async ({ signal }): Promise<DeviceToken[]> =>
      unwrap(
        await apiClient.GET("/api/devices/{device_id}/tokens", {
          params: { path: { device_id: deviceId ?? 0 } },
          signal,
        }),
      ),
    enabled: deviceId !== undefined,
  });
}

/** POST /api/devices/{id}/tokens: the answer holds the token, the only time it is ever shown. */
export function useIssueToken(deviceId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (label: string | null): Promise<DeviceTokenIssued> =>
      unwrap(
        await apiClient.POST("/api/devices/{device_id}/tokens", {
          params: { path: { device_id: deviceId } },
          body: { label },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: deviceKeys.tokens(deviceId) }),
  });
}

/** DELETE /api/devices/{id}/tokens/{token_id}: revoke (the token stays listed, marked revoked). */
export function useRevokeToken(deviceId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (tokenId: number): Promise<DeviceToken> =>
      unwrap(
        await apiClient.DELETE("/api/devices/{device_id}/tokens/{token_id}", {
          params: { path: { device_id: deviceId, token_id: tokenId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: deviceKeys.tokens(deviceId) }),
  });
}
