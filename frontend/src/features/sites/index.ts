export { SitesRoute, NoSitesYet } from "./routes/SitesRoute";
export { SiteDetailRoute } from "./routes/SiteDetailRoute";
export { useSites, useSite, sitesQueryOptions, useInvalidateSites } from "./api/sites";
export { useSiteDevices } from "./api/devices";
export { deviceKeys, siteKeys } from "./api/keys";
export type { Site, Device } from "./types";
