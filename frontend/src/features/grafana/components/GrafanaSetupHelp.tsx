import { SettingOutlined } from "@ant-design/icons";
import { Button, Card, Empty, Flex, Steps, Typography } from "antd";
import { useNavigate } from "react-router";

const { Text, Paragraph } = Typography;

type GrafanaSetupHelpProps = {
  isAdmin: boolean;
  /** Grafana has a base URL but no dashboard is listed yet. */
  hasBaseUrl: boolean;
};

/** The Dashboards page before Grafana is set up: how to set it up, never a broken frame. */
export function GrafanaSetupHelp({ isAdmin, hasBaseUrl }: GrafanaSetupHelpProps) {
  const navigate = useNavigate();
  return (
    <Card data-testid="grafana-setup">
      <Empty
        image={Empty.PRESENTED_IMAGE_SIMPLE}
        description={
          <Flex vertical gap={4} align="center">
            <Text strong>
              {hasBaseUrl ? "No Grafana dashboard is selected yet" : "Grafana is not set up yet"}
            </Text>
            <Text type="secondary">
              Grafana dashboards of this portal&apos;s data show here, under the portal&apos;s
              brand. {isAdmin ? "Here is how to set them up." : "An administrator sets them up."}
            </Text>
          </Flex>
        }
      />
      {isAdmin && (
        <>
          <Steps
            orientation="vertical"
            size="small"
            current={-1}
            style={{ maxWidth: 760, margin: "0 auto" }}
            items={[
              {
                title: "Run Grafana on this site, under /grafana",
                content: (
                  <Paragraph type="secondary" style={{ marginBottom: 8 }}>
                    The production compose file does this behind the reverse proxy. Grafana needs{" "}
                    <Text code>GF_SERVER_ROOT_URL=https://&lt;this host&gt;/grafana/</Text>,{" "}
                    <Text code>GF_SERVER_SERVE_FROM_SUB_PATH=true</Text> and{" "}
                    <Text code>GF_SECURITY_ALLOW_EMBEDDING=true</Text>; keep anonymous access off.
                  </Paragraph>
                ),
              },
              {
                title: "Provision its datasource and dashboards",
                content: (
                  <Paragraph type="secondary" style={{ marginBottom: 8 }}>
                    <Text code>portal grafana provision /etc/grafana/provisioning</Text> writes a
                    read-only PostgreSQL datasource for this portal&apos;s database and the Power
                    overview dashboard (and the Fleet dashboard on an admin stack).{" "}
                    <Text code>portal grafana grants &lt;role&gt;</Text> prints what Grafana&apos;s
                    database role may read.
                  </Paragraph>
                ),
              },
              {
                title: "Choose the dashboards to show here",
                content: (
                  <Paragraph type="secondary" style={{ marginBottom: 8 }}>
                    In Settings → Grafana, set the base URL (<Text code>/grafana</Text>) and add the
                    dashboards, or take the provisioned ones with one click.
                  </Paragraph>
                ),
              },
            ]}
          />
          <Flex justify="center">
            <Button
              data-testid="grafana-setup-link"
              type="primary"
              icon={<SettingOutlined />}
              onClick={() => void navigate("/settings/grafana")}
            >
              Open Settings → Grafana
            </Button>
          </Flex>
        </>
      )}
    </Card>
  );
}
