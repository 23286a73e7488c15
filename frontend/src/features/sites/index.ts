export { SitesRoute, NoSitesYet } from "./routes/SitesRoute";
export { SiteDetailRoute } from "./routes/SiteDetailRoute";
export { useSites, useSite, sitesQueryKey, sitesQueryOptions } from "./api/sites";
export { useSiteDevices, siteDevicesQueryKey } from "./api/devices";
export type { Site, Device } from "./types";
