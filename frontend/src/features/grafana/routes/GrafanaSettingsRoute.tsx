import { Alert, Button, Card, Form, Spin, Typography } from "antd";
import { errorMessage } from "@/api/errors";
import { useGrafanaSettings } from "../api/grafana-settings";
import { GrafanaSettingsForm } from "../components/GrafanaSettingsForm";
import type { GrafanaFormValues } from "../lib/form";

/** Settings → Grafana (admin only; the route guards it). */
export function GrafanaSettingsRoute() {
  const settings = useGrafanaSettings();
  const [form] = Form.useForm<GrafanaFormValues>();

  if (settings.isError) {
    return (
      <Alert
        data-testid="grafana-settings-load-error"
        type="error"
        showIcon
        title="The Grafana settings could not be loaded"
        description={errorMessage(settings.error)}
        action={<Button onClick={() => void settings.refetch()}>Retry</Button>}
      />
    );
  }
  if (!settings.data) return <Spin data-testid="grafana-settings-loading" />;

  return (
    <>
      <Typography.Paragraph type="secondary">
        The Grafana dashboards the Dashboards page embeds, for everyone who uses the portal.
        They show in Grafana&apos;s kiosk mode, in the brand&apos;s light or dark theme.
      </Typography.Paragraph>
      {!settings.data.saved && (
        <Alert
          data-testid="grafana-unsaved"
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          title="Not saved yet"
          description={
            settings.data.base_url
              ? "These are the defaults: PORTAL_GRAFANA_URL and the provisioned dashboards. Save to keep them, or change them."
              : "Grafana is off until a base URL and at least one dashboard are saved."
          }
        />
      )}
      <Card>
        <GrafanaSettingsForm form={form} settings={settings.data} />
      </Card>
    </>
  );
}
