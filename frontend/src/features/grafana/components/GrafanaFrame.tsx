import type { GrafanaDashboard } from "../lib/types";

type GrafanaFrameProps = {
  dashboard: GrafanaDashboard;
  src: string;
};

/** One Grafana dashboard in kiosk mode; fills the window unless the dashboard sets a height. */
export function GrafanaFrame({ dashboard, src }: GrafanaFrameProps) {
  return (
    <iframe
      key={src}
      data-testid="grafana-frame"
      title={dashboard.title}
      src={src}
      referrerPolicy="same-origin"
      style={{
        width: "100%",
        height: dashboard.height ?? "calc(100vh - 210px)",
        minHeight: dashboard.height ? undefined : 480,
        border: 0,
        display: "block",
      }}
    />
  );
}
