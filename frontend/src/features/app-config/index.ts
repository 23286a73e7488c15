export { AppConfigRoute } from "./routes/AppConfigRoute";
export { useAppConfig, appConfigQueryOptions, getAppConfig } from "./api/get-config";
export { appConfigKeys } from "./api/keys";
export type { ConfigOverview } from "./api/get-config";
