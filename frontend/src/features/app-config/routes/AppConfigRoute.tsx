import { LockOutlined, ReloadOutlined } from "@ant-design/icons";
import { Alert, Button, Col, Flex, Row, Spin, Typography } from "antd";
import { QueryError } from "@/components/resource-page/ResourcePage";
import { useAppConfig } from "../api/get-config";
import { ConfigGroupCard } from "../components/ConfigGroupCard";
import { configGroups } from "../lib/groups";

/** Settings → App config (admin only; the route guards it): what the portal runs with. */
export function AppConfigRoute() {
  const config = useAppConfig();

  return (
    <>
      <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 16 }}>
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          How this portal is configured (environment variables and portal.toml). Read-only: change
          the configuration on the server and restart the portal.
        </Typography.Paragraph>
        <Button
          data-testid="app-config-refresh"
          icon={<ReloadOutlined />}
          loading={config.isFetching && !config.isPending}
          onClick={() => void config.refetch()}
        >
          Reload
        </Button>
      </Flex>
      <Alert
        data-testid="app-config-secrets-note"
        type="info"
        showIcon
        icon={<LockOutlined />}
        title="Secrets are never shown"
        description="Passwords, tokens and the database password never leave the server; this page only says whether they are set."
        style={{ marginBottom: 16 }}
      />
      <QueryError
        query={config}
        testId="app-config-error"
        title="The configuration could not be loaded"
      />
      {config.isPending && <Spin data-testid="app-config-loading" />}
      {config.data && (
        <Row gutter={[16, 16]} data-testid="app-config">
          {configGroups(config.data).map((group) => (
            <Col key={group.key} xs={24} xl={12}>
              <ConfigGroupCard group={group} />
            </Col>
          ))}
        </Row>
      )}
    </>
  );
}
