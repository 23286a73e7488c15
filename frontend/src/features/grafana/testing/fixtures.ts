import type { GrafanaSettings } from "../lib/types";

export const power = {
  title: "Power overview",
  uid: "power-overview",
  slug: "power-overview",
  height: null,
};
export const fleet = { title: "Fleet", uid: "fleet", slug: "fleet", height: 900 };

export const unconfigured: GrafanaSettings = {
  base_url: null,
  dashboards: [],
  configured: false,
  saved: false,
  provisioned: [power],
};

export const configured: GrafanaSettings = {
  base_url: "/grafana",
  dashboards: [power, fleet],
  configured: true,
  saved: true,
  provisioned: [fleet, power],
};
