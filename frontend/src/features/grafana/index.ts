export { DashboardsRoute } from "./routes/DashboardsRoute";
export { GrafanaSettingsRoute } from "./routes/GrafanaSettingsRoute";
export {
  grafanaSettingsQueryOptions,
  useGrafanaSettings,
  useUpdateGrafanaSettings,
} from "./api/grafana-settings";
export { grafanaKeys } from "./api/keys";
export { kioskUrl, grafanaUrl, slugify } from "./lib/url";
export type { GrafanaDashboard, GrafanaSettings, GrafanaSettingsUpdate } from "./lib/types";
