import { Alert, Card, Form, Spin, Typography } from "antd";
import { LoadFailed, ResourcePage } from "@/components/resource-page/ResourcePage";
import { useGrafanaSettings } from "../api/grafana-settings";
import { GrafanaSettingsForm } from "../components/GrafanaSettingsForm";
import type { GrafanaFormValues } from "../lib/form";

/** Settings → Grafana (admin only; the route guards it). */
export function GrafanaSettingsRoute() {
  const settings = useGrafanaSettings();
  const [form] = Form.useForm<GrafanaFormValues>();

  return (
    <ResourcePage
      query={settings}
      loading={<Spin data-testid="grafana-settings-loading" />}
      failure={(error) => (
        <LoadFailed
          error={error}
          testId="grafana-settings-load-error"
          title="The Grafana settings could not be loaded"
          retry={() => void settings.refetch()}
        />
      )}
    >
      {(current) => (
        <>
          <Typography.Paragraph type="secondary">
            The Grafana dashboards the Dashboards page embeds, for everyone who uses the portal.
            They show in Grafana&apos;s kiosk mode, in the brand&apos;s light or dark theme.
          </Typography.Paragraph>
          {!current.saved && (
            <Alert
              data-testid="grafana-unsaved"
              type="info"
              showIcon
              style={{ marginBottom: 16 }}
              title="Not saved yet"
              description={
                current.base_url
                  ? "These are the defaults: PORTAL_GRAFANA_URL and the provisioned dashboards. Save to keep them, or change them."
                  : "Grafana is off until a base URL and at least one dashboard are saved."
              }
            />
          )}
          <Card>
            <GrafanaSettingsForm form={form} settings={current} />
          </Card>
        </>
      )}
    </ResourcePage>
  );
}
