/** The gateways feature's query keys: the one place they are spelled. */
export const gatewayKeys = {
  /** Everything about gateways; refreshed together after an accept or a dismissal. */
  all: ["gateways"] as const,
  /** GET /api/gateways/bridge */
  bridge: () => [...gatewayKeys.all, "bridge"] as const,
  /** GET /api/gateways/health, for every site or one. */
  health: (siteId?: number) =>
    siteId === undefined
      ? ([...gatewayKeys.all, "health"] as const)
      : ([...gatewayKeys.all, "health", siteId] as const),
  /** GET /api/gateways/pending */
  pending: (includeDismissed: boolean) =>
    [...gatewayKeys.all, "pending", includeDismissed] as const,
};
