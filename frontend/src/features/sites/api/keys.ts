/**
 * The sites feature's query keys: the one place they are spelled. Sites and
 * their devices hang together (device counts, moves): a change refreshes both.
 */
export const siteKeys = {
  /** GET /api/sites; everything under it is about sites. */
  all: ["sites"] as const,
  /** GET /api/sites/{id} */
  detail: (siteId: number) => [...siteKeys.all, siteId] as const,
  /** GET /api/sites/{id}/tree?start&end (a device change refreshes it: it is under the site) */
  tree: (siteId: number, start: string, end: string) =>
    [...siteKeys.detail(siteId), "tree", start, end] as const,
};

export const deviceKeys = {
  all: ["devices"] as const,
  /** GET /api/sites/{id}/devices */
  ofSite: (siteId: number) => [...deviceKeys.all, "site", siteId] as const,
  /** GET /api/devices/{id}/tokens */
  tokens: (deviceId: number) => [...deviceKeys.all, deviceId, "tokens"] as const,
};
