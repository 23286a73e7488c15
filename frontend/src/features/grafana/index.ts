export { DashboardsRoute } from "./routes/DashboardsRoute";
export { GrafanaSettingsRoute } from "./routes/GrafanaSettingsRoute";
export {
  grafanaSettingsQueryKey,
  grafanaSettingsQueryOptions,
  useGrafanaSettings,
  useUpdateGrafanaSettings,
} from "./api/grafana-settings";
export { kioskUrl, grafanaUrl, slugify } from "./lib/url";
export type { GrafanaDashboard, GrafanaSettings, GrafanaSettingsUpdate } from "./lib/types";
