import type { Schemas } from "@/api/types";

export type GrafanaSettings = Schemas["GrafanaSettingsRead"];
export type GrafanaSettingsUpdate = Schemas["GrafanaSettingsUpdate"];
export type GrafanaDashboard = Schemas["GrafanaDashboardRead"];
export type GrafanaTheme = "light" | "dark";
