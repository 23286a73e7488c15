import { PlusOutlined, ReloadOutlined } from "@ant-design/icons";
import { Button, Card, Empty, Flex, Typography } from "antd";
import { useMemo, useState } from "react";
import { useNavigate } from "react-router";
import { useNow } from "@/components/data-display/use-now";
import { QueryError } from "@/components/resource-page/ResourcePage";
import { hasRole, useMe } from "@/features/auth";
import {
  BridgeStatusTag,
  gatewaysBySite,
  PendingGatewaysPanel,
  useGatewayHealth,
} from "@/features/gateways";
import { useInvalidateSites, useSites } from "../api/sites";
import { SiteFormModal } from "../components/SiteFormModal";
import { sitePath, SitesTable } from "../components/SitesTable";

/** "No sites yet": what to do next depends on who is looking. */
export function NoSitesYet({ isAdmin, onCreate }: { isAdmin: boolean; onCreate?: () => void }) {
  return (
    <Empty
      data-testid="sites-empty"
      description={
        <Flex vertical gap={4} align="center">
          <Typography.Text strong>No sites yet</Typography.Text>
          <Typography.Text type="secondary">
            {isAdmin ? "Create one" : "Ask an administrator to create one"}, or run{" "}
            <Typography.Text code>portal demo</Typography.Text> to load a demo site with three
            meters.
          </Typography.Text>
        </Flex>
      }
    >
      {isAdmin && onCreate && (
        <Button type="primary" icon={<PlusOutlined />} onClick={onCreate}>
          Create site
        </Button>
      )}
    </Empty>
  );
}

/** /sites: every site, with its device count. Admins can create sites. */
export function SitesRoute() {
  const sites = useSites();
  const refreshSites = useInvalidateSites();
  const { data: me } = useMe();
  const isAdmin = hasRole(me, "admin");
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const gatewayHealth = useGatewayHealth();
  const now = useNow(5_000);
  const gateways = useMemo(
    () => gatewaysBySite(gatewayHealth.data ?? [], now),
    [gatewayHealth.data, now],
  );

  return (
    <>
      <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 16 }}>
        <div>
          <Flex align="center" gap={12}>
            <Typography.Title level={2} style={{ margin: 0 }}>
              Sites
            </Typography.Title>
            <BridgeStatusTag />
          </Flex>
          <Typography.Text type="secondary">
            The places you meter, each with its own time zone and its devices.
          </Typography.Text>
        </div>
        <Flex gap={8}>
          <Button
            data-testid="sites-refresh"
            icon={<ReloadOutlined />}
            loading={sites.isFetching && !sites.isPending}
            onClick={() => void sites.refetch()}
          >
            Reload
          </Button>
          {isAdmin && (
            <Button
              data-testid="create-site"
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setCreating(true)}
            >
              Create site
            </Button>
          )}
        </Flex>
      </Flex>
      <QueryError
        query={sites}
        testId="sites-error"
        title="The sites could not be loaded"
        style={{ marginBottom: 16 }}
      />
      <PendingGatewaysPanel isAdmin={isAdmin} sites={sites} refreshSites={refreshSites} />
      <Card styles={{ body: { padding: 0 } }}>
        <SitesTable
          gateways={gateways}
          sites={sites.data}
          loading={sites.isPending && !sites.isError}
          empty={
            <div style={{ padding: 24 }}>
              <NoSitesYet isAdmin={isAdmin} onCreate={() => setCreating(true)} />
            </div>
          }
        />
      </Card>
      {creating && (
        <SiteFormModal
          onClose={() => setCreating(false)}
          onSaved={(site) => void navigate(sitePath(site))}
        />
      )}
    </>
  );
}
