export { SitesRoute, NoSitesYet } from "./routes/SitesRoute";
export { SiteDetailRoute } from "./routes/SiteDetailRoute";
export { useSites, useSite, sitesQueryOptions, useInvalidateSites } from "./api/sites";
export { useSiteDevices } from "./api/devices";
export { deviceKeys, siteKeys } from "./api/keys";
export { buildDeviceTree } from "./lib/tree";
export type { DeviceTreeNode } from "./lib/tree";
export { RoleTag } from "./components/MeteringTree";
export type { Site, Device, DeviceRole } from "./types";
