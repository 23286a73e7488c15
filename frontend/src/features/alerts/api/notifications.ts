import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiClient, ensureOk, unwrap } from "@/api/client";
import type {
  Channels,
  ChannelTestResult,
  Delivery,
  DeliveryStatus,
  Preferences,
  PreferencesWrite,
  SmtpSettings,
  SmtpWrite,
  Webhook,
  WebhookCreated,
  WebhookUpdate,
  WebhookWrite,
} from "../types";
import { notificationKeys } from "./keys";

function useInvalidateNotifications() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: notificationKeys.all });
}

/** GET /api/me/notification-preferences (every admin and viewer: their own) */
export function usePreferences() {
  return useQuery({
    queryKey: notificationKeys.preferences(),
    queryFn: async ({ signal }): Promise<Preferences> =>
      unwrap(await apiClient.GET("/api/me/notification-preferences", { signal })),
  });
}

/** PUT /api/me/notification-preferences */
export function useSavePreferences() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: PreferencesWrite): Promise<Preferences> =>
      unwrap(await apiClient.PUT("/api/me/notification-preferences", { body })),
    onSuccess: (saved) => queryClient.setQueryData(notificationKeys.preferences(), saved),
  });
}

/** GET /api/notification-channels (admin): SMTP (never its password) and the webhooks. */
export function useChannels() {
  return useQuery({
    queryKey: notificationKeys.channels(),
    queryFn: async ({ signal }): Promise<Channels> =>
      unwrap(await apiClient.GET("/api/notification-channels", { signal })),
  });
}

/** PUT /api/notification-channels/smtp: the password is write-only. */
export function useSaveSmtp() {
  const invalidate = useInvalidateNotifications();
  return useMutation({
    mutationFn: async (body: SmtpWrite): Promise<SmtpSettings> =>
      unwrap(await apiClient.PUT("/api/notification-channels/smtp", { body })),
    onSuccess: invalidate,
  });
}

/** POST /api/notification-channels/smtp/test {to}: the server's answer, or the error. */
export function useSmtpTest() {
  return useMutation({
    mutationFn: async (to: string): Promise<ChannelTestResult> =>
      unwrap(await apiClient.POST("/api/notification-channels/smtp/test", { body: { to } })),
  });
}

/** POST /api/notification-channels/webhooks → the secret, shown once. */
export function useCreateWebhook() {
  const invalidate = useInvalidateNotifications();
  return useMutation({
    mutationFn: async (body: WebhookWrite): Promise<WebhookCreated> =>
      unwrap(await apiClient.POST("/api/notification-channels/webhooks", { body })),
    onSuccess: invalidate,
  });
}

/** PATCH /api/notification-channels/webhooks/{id} */
export function useUpdateWebhook() {
  const invalidate = useInvalidateNotifications();
  return useMutation({
    mutationFn: async ({ id, ...body }: WebhookUpdate & { id: number }): Promise<Webhook> =>
      unwrap(
        await apiClient.PATCH("/api/notification-channels/webhooks/{webhook_id}", {
          params: { path: { webhook_id: id } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

/** DELETE /api/notification-channels/webhooks/{id} */
export function useDeleteWebhook() {
  const invalidate = useInvalidateNotifications();
  return useMutation({
    mutationFn: async (id: number): Promise<void> =>
      ensureOk(
        await apiClient.DELETE("/api/notification-channels/webhooks/{webhook_id}", {
          params: { path: { webhook_id: id } },
        }),
      ),
    onSuccess: invalidate,
  });
}

/** POST …/webhooks/{id}/rotate-secret → the new secret, shown once (the old one stops). */
export function useRotateWebhookSecret() {
  const invalidate = useInvalidateNotifications();
  return useMutation({
    mutationFn: async (id: number): Promise<WebhookCreated> =>
      unwrap(
        await apiClient.POST("/api/notification-channels/webhooks/{webhook_id}/rotate-secret", {
          params: { path: { webhook_id: id } },
        }),
      ),
    onSuccess: invalidate,
  });
}

/** POST …/webhooks/{id}/test → the receiver's status code and the start of its answer. */
export function useWebhookTest() {
  return useMutation({
    mutationFn: async (id: number): Promise<ChannelTestResult> =>
      unwrap(
        await apiClient.POST("/api/notification-channels/webhooks/{webhook_id}/test", {
          params: { path: { webhook_id: id } },
        }),
      ),
  });
}

/** GET /api/notifications?status (admin): the deliveries, newest first. */
export function useDeliveries(status: DeliveryStatus | null) {
  return useQuery({
    queryKey: notificationKeys.deliveries(status),
    queryFn: async ({ signal }): Promise<Delivery[]> =>
      unwrap(
        await apiClient.GET("/api/notifications", {
          params: { query: status ? { status } : {} },
          signal,
        }),
      ),
  });
}

/** POST /api/notifications/{id}/retry: a dead delivery goes back to pending. */
export function useRetryDelivery() {
  const invalidate = useInvalidateNotifications();
  return useMutation({
    mutationFn: async (id: number): Promise<Delivery> =>
      unwrap(
        await apiClient.POST("/api/notifications/{delivery_id}/retry", {
          params: { path: { delivery_id: id } },
        }),
      ),
    onSuccess: invalidate,
  });
}
