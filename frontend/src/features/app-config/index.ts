export { AppConfigRoute } from "./routes/AppConfigRoute";
export { useAppConfig, appConfigQueryKey, appConfigQueryOptions, getAppConfig } from "./api/get-config";
export type { ConfigOverview } from "./api/get-config";
