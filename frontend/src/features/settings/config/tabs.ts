import type { Role } from "@/api/types";

export type SettingsTab = {
  /** The URL segment under /settings, and the Tabs key. */
  key: string;
  label: string;
  /** The least role that may open the tab. */
  role: Role;
};

/**
 * The settings tabs, in display order. Each is a route under /settings
 * (registered in src/app/router.tsx) guarded by its role.
 */
export const settingsTabs: readonly SettingsTab[] = [
  { key: "users", label: "Users", role: "admin" },
  { key: "rates", label: "Rates", role: "admin" },
  { key: "alerts", label: "Alerts", role: "admin" },
  // every user's own notification preferences (and, for admins, the channels)
  { key: "notifications", label: "Notifications", role: "viewer" },
  { key: "branding", label: "Branding", role: "admin" },
  { key: "grafana", label: "Grafana", role: "admin" },
  { key: "app-config", label: "App config", role: "admin" },
];

export function settingsTabPath(tab: Pick<SettingsTab, "key">): string {
  return `/settings/${tab.key}`;
}

/** The tabs a user with `role` may open. */
export function visibleSettingsTabs(role: Role | undefined): SettingsTab[] {
  // a tenant user has its portal, and no settings
  if (!role || role === "tenant") return [];
  return settingsTabs.filter((tab) => tab.role === "viewer" || role === "admin");
}
