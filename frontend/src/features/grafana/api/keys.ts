/** The grafana feature's query keys: the one place they are spelled. */
export const grafanaKeys = {
  all: ["grafana"] as const,
  /** GET /api/grafana/settings */
  settings: () => [...grafanaKeys.all, "settings"] as const,
};
