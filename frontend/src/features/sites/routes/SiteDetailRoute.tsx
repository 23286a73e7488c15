import {
  DashboardOutlined,
  DeleteOutlined,
  EditOutlined,
  PlusOutlined,
  ReloadOutlined,
} from "@ant-design/icons";
import type { UseQueryResult } from "@tanstack/react-query";
import {
  App,
  Breadcrumb,
  Button,
  Card,
  Descriptions,
  Empty,
  Flex,
  Popconfirm,
  Typography,
} from "antd";
import { useMemo, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { errorMessage } from "@/api/errors";
import { formatDateTimeIn } from "@/components/data-display/format";
import { useNow } from "@/components/data-display/use-now";
import {
  QueryError,
  ResourceNotFound,
  ResourcePage,
} from "@/components/resource-page/ResourcePage";
import { hasRole, useMe } from "@/features/auth";
import { gatewayHealthColumns, useGatewayHealth } from "@/features/gateways";
import type { GatewayHealth } from "@/features/gateways";
import { VirtualMetersCard } from "@/features/virtual-meters";
import { useDeleteDevice, useSiteDevices } from "../api/devices";
import { useDeleteSite, useSite } from "../api/sites";
import { DeviceFormModal } from "../components/DeviceFormModal";
import { DevicesTable } from "../components/DevicesTable";
import { MeteringTreeSection } from "../components/MeteringTreeSection";
import { SiteFormModal } from "../components/SiteFormModal";
import { TokensDrawer } from "../components/TokensDrawer";
import type { Device, Site } from "../types";

type Dialog =
  | { kind: "edit-site" }
  | { kind: "add-device" }
  | { kind: "edit-device"; device: Device }
  | { kind: "tokens"; device: Device }
  | null;

/** /sites/:siteId: the site's details and its devices; admins manage both, and device tokens. */
export function SiteDetailRoute() {
  const siteId = Number(useParams().siteId);
  const site = useSite(siteId);
  // Asked for alongside the site, not after it.
  const devices = useSiteDevices(siteId);
  const gatewayHealth = useGatewayHealth(siteId);

  return (
    <ResourcePage
      query={site}
      header={
        <Breadcrumb
          style={{ marginBottom: 8 }}
          items={[{ title: <Link to="/sites">Sites</Link> }, { title: site.data?.name ?? "…" }]}
        />
      }
      failure={(error) => (
        <ResourceNotFound
          error={error}
          testId="site-not-found"
          notFound={{ title: "Site not found", detail: "It may have been deleted." }}
          errorTitle="The site could not be loaded"
          back={<Link to="/sites">Back to the sites</Link>}
        />
      )}
    >
      {(loaded) => (
        <SiteDetails site={loaded} devices={devices} gatewayHealth={gatewayHealth.data} />
      )}
    </ResourcePage>
  );
}

type SiteDetailsProps = {
  site: Site;
  devices: UseQueryResult<Device[]>;
  gatewayHealth: GatewayHealth[] | undefined;
};

function SiteDetails({ site, devices, gatewayHealth }: SiteDetailsProps) {
  const { data: me } = useMe();
  const isAdmin = hasRole(me, "admin");
  const { message } = App.useApp();
  const navigate = useNavigate();
  const deleteSite = useDeleteSite();
  const deleteDevice = useDeleteDevice();
  const now = useNow(5_000);
  const healthColumns = useMemo(() => {
    const healths = gatewayHealth ?? [];
    if (healths.length === 0) return [];
    const byDevice = new Map(healths.map((h) => [h.device_id, h]));
    return gatewayHealthColumns<Device>(byDevice, now, site.timezone);
  }, [gatewayHealth, now, site.timezone]);
  const [dialog, setDialog] = useState<Dialog>(null);
  const close = () => setDialog(null);

  const onDeleteSite = () =>
    deleteSite.mutateAsync(site.id).then(
      () => {
        void message.success(`Deleted ${site.name}`);
        void navigate("/sites");
      },
      (error: unknown) => void message.error(errorMessage(error)),
    );

  const onDeleteDevice = (device: Device) =>
    deleteDevice.mutateAsync(device.id).then(
      () => void message.success(`Deleted ${device.name}`),
      (error: unknown) => void message.error(errorMessage(error)),
    );

  const noDevices = (
    <Empty
      data-testid="devices-empty"
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      description={
        isAdmin
          ? "No devices yet: add the site's meters, then issue each one a token."
          : "No devices yet."
      }
    />
  );

  return (
    <>
      <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 16 }}>
        <Typography.Title level={2} style={{ margin: 0 }} data-testid="site-title">
          {site.name}
        </Typography.Title>
        <Flex gap={8} wrap>
          <Button
            icon={<DashboardOutlined />}
            data-testid="site-dashboard"
            onClick={() => void navigate(`/?site=${site.id}`)}
          >
            Dashboard
          </Button>
          {isAdmin && (
            <>
              <Button
                icon={<EditOutlined />}
                data-testid="site-edit"
                onClick={() => setDialog({ kind: "edit-site" })}
              >
                Edit site
              </Button>
              <Popconfirm
                title={`Delete ${site.name}?`}
                description="Only a site without devices can be deleted."
                okText="Delete"
                okButtonProps={{ danger: true, "data-testid": "site-delete-confirm" }}
                onConfirm={onDeleteSite}
              >
                <Button
                  danger
                  icon={<DeleteOutlined />}
                  data-testid="site-delete"
                  loading={deleteSite.isPending}
                >
                  Delete site
                </Button>
              </Popconfirm>
            </>
          )}
        </Flex>
      </Flex>

      <Card style={{ marginBottom: 16 }}>
        <Descriptions
          data-testid="site-details"
          column={{ xs: 1, md: 2, xl: 4 }}
          size="small"
          items={[
            { key: "timezone", label: "Time zone", children: site.timezone },
            { key: "utility", label: "Utility", children: site.utility || "—" },
            { key: "address", label: "Address", children: site.address || "—" },
            {
              key: "metering",
              label: "Site totals",
              children: (
                <span data-testid="site-metering">
                  {site.metering === "supply_points" ? "supply points" : "all devices added"}
                </span>
              ),
            },
            {
              key: "discrepancy",
              label: "Discrepancy threshold",
              children: `${site.discrepancy_percent} %`,
            },
            {
              key: "created",
              label: "Created",
              children: formatDateTimeIn(site.created_at, site.timezone, {
                dateStyle: "medium",
              }),
            },
          ]}
        />
      </Card>

      <Card
        title={`Devices (${devices.data?.length ?? site.device_count ?? 0})`}
        styles={{ body: { padding: 0 } }}
        extra={
          <Flex gap={8}>
            <Button
              size="small"
              icon={<ReloadOutlined />}
              data-testid="devices-refresh"
              loading={devices.isFetching && !devices.isPending}
              onClick={() => void devices.refetch()}
            >
              Reload
            </Button>
            {isAdmin && (
              <Button
                size="small"
                type="primary"
                icon={<PlusOutlined />}
                data-testid="add-device"
                onClick={() => setDialog({ kind: "add-device" })}
              >
                Add device
              </Button>
            )}
          </Flex>
        }
      >
        <QueryError
          query={devices}
          title="The devices could not be loaded"
          style={{ margin: 16 }}
        />
        <DevicesTable
          devices={devices.data}
          loading={devices.isPending && !devices.isError}
          now={now}
          timeZone={site.timezone}
          isAdmin={isAdmin}
          empty={noDevices}
          onEdit={(device) => setDialog({ kind: "edit-device", device })}
          onDelete={onDeleteDevice}
          onTokens={(device) => setDialog({ kind: "tokens", device })}
          extraColumns={healthColumns}
        />
      </Card>

      <MeteringTreeSection site={site} devices={devices.data} isAdmin={isAdmin} />

      <VirtualMetersCard siteId={site.id} devices={devices.data ?? []} isAdmin={isAdmin} />

      {dialog?.kind === "edit-site" && <SiteFormModal site={site} onClose={close} />}
      {dialog?.kind === "add-device" && <DeviceFormModal siteId={site.id} onClose={close} />}
      {dialog?.kind === "edit-device" && (
        <DeviceFormModal siteId={site.id} device={dialog.device} onClose={close} />
      )}
      {dialog?.kind === "tokens" && (
        <TokensDrawer device={dialog.device} timeZone={site.timezone} onClose={close} />
      )}
    </>
  );
}
