import { ExportOutlined } from "@ant-design/icons";
import { Button, Flex, Segmented, Select, Spin, Typography } from "antd";
import type { ReactNode } from "react";
import { useSearchParams } from "react-router";
import { LoadFailed } from "@/components/resource-page/ResourcePage";
import { hasRole, useMe } from "@/features/auth";
import { useBrand } from "@/features/branding";
import { useGrafanaSettings } from "../api/grafana-settings";
import { GrafanaFrame } from "../components/GrafanaFrame";
import { GrafanaSetupHelp } from "../components/GrafanaSetupHelp";
import { grafanaUrl, kioskUrl } from "../lib/url";
import type { GrafanaDashboard } from "../lib/types";

/** Up to this many dashboards get buttons; more get a drop-down. */
const MAX_BUTTONS = 5;

function DashboardPicker({
  dashboards,
  value,
  onChange,
}: {
  dashboards: GrafanaDashboard[];
  value: string;
  onChange: (uid: string) => void;
}) {
  const options = dashboards.map((d) => ({ label: d.title, value: d.uid }));
  if (dashboards.length <= MAX_BUTTONS) {
    return (
      <Segmented
        data-testid="grafana-dashboard-picker"
        options={options}
        value={value}
        onChange={(uid) => onChange(String(uid))}
      />
    );
  }
  return (
    <Select
      data-testid="grafana-dashboard-picker"
      options={options}
      value={value}
      onChange={onChange}
      style={{ minWidth: 240 }}
      showSearch={{ optionFilterProp: "label" }}
    />
  );
}

/** /dashboards: the configured Grafana dashboards, embedded in kiosk mode in the brand's theme. */
export function DashboardsRoute() {
  const settings = useGrafanaSettings();
  const { data: user } = useMe();
  const { theme } = useBrand();
  const [params, setParams] = useSearchParams();
  const isAdmin = user ? hasRole(user, "admin") : false;

  const header = (extra?: ReactNode) => (
    <Flex justify="space-between" align="center" wrap gap={12} style={{ marginBottom: 16 }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        Dashboards
      </Typography.Title>
      {extra}
    </Flex>
  );

  if (settings.isPending) {
    return (
      <>
        {header()}
        <Spin data-testid="grafana-loading" />
      </>
    );
  }
  if (settings.isError) {
    return (
      <>
        {header()}
        <LoadFailed
          error={settings.error}
          testId="grafana-load-error"
          title="The dashboards could not be loaded"
          retry={() => void settings.refetch()}
        />
      </>
    );
  }

  const { base_url: baseUrl, dashboards } = settings.data;
  const usable = dashboards.filter((d) => kioskUrl(baseUrl, d, theme) !== null);
  if (!settings.data.configured || usable.length === 0) {
    return (
      <>
        {header()}
        <GrafanaSetupHelp isAdmin={isAdmin} hasBaseUrl={Boolean(baseUrl)} />
      </>
    );
  }

  const requested = params.get("dashboard");
  const current = usable.find((d) => d.uid === requested) ?? usable[0]!;
  const src = kioskUrl(baseUrl, current, theme)!;
  const external = grafanaUrl(baseUrl, current, theme)!;
  const choose = (uid: string) =>
    setParams(
      (previous) => {
        const next = new URLSearchParams(previous);
        next.set("dashboard", uid);
        return next;
      },
      { replace: true },
    );

  return (
    <>
      {header(
        <Flex align="center" gap={12} wrap>
          {usable.length > 1 && (
            <DashboardPicker dashboards={usable} value={current.uid} onChange={choose} />
          )}
          <Button
            data-testid="grafana-open"
            href={external}
            target="_blank"
            rel="noopener noreferrer"
            icon={<ExportOutlined />}
          >
            Open in Grafana
          </Button>
        </Flex>,
      )}
      <GrafanaFrame dashboard={current} src={src} />
    </>
  );
}
