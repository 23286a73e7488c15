/** The alerts feature's query keys: the one place they are spelled. */

/** The list's filters, as sent (`state` and the optional ones). */
export type AlertListFilters = {
  state: "firing" | "acknowledged" | "resolved";
  site_id?: number;
  severity?: "info" | "warning" | "critical";
  since?: string;
  until?: string;
};

export const alertKeys = {
  /** Everything about alerts: an acknowledgement or a rule change refreshes it all. */
  all: ["alerts"] as const,
  /** GET /api/alerts?state&site_id&severity&since&until */
  list: (filters: AlertListFilters) => [...alertKeys.all, "list", filters] as const,
  /** GET /api/alerts/{id} */
  detail: (alertId: number) => [...alertKeys.all, "detail", alertId] as const,
  /** GET /api/alerts/summary (the header badge) */
  summary: () => [...alertKeys.all, "summary"] as const,
};

export const alertRuleKeys = {
  all: ["alert-rules"] as const,
  /** GET /api/alert-rules */
  list: () => [...alertRuleKeys.all, "list"] as const,
  /** GET /api/devices (the names of the rules' device subjects) */
  devices: () => [...alertRuleKeys.all, "devices"] as const,
};

export const notificationKeys = {
  all: ["notifications"] as const,
  /** GET /api/me/notification-preferences */
  preferences: () => [...notificationKeys.all, "preferences"] as const,
  /** GET /api/notification-channels */
  channels: () => [...notificationKeys.all, "channels"] as const,
  /** GET /api/notifications?status */
  deliveries: (status: string | null) => [...notificationKeys.all, "deliveries", status] as const,
};
