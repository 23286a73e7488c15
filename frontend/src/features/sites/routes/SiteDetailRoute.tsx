import {
  DashboardOutlined,
  DeleteOutlined,
  EditOutlined,
  PlusOutlined,
  ReloadOutlined,
} from "@ant-design/icons";
import {
  Alert,
  App,
  Breadcrumb,
  Button,
  Card,
  Descriptions,
  Empty,
  Flex,
  Popconfirm,
  Result,
  Skeleton,
  Typography,
} from "antd";
import { useMemo, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError } from "@/api/client";
import { errorMessage } from "@/api/errors";
import { formatDateTimeIn } from "@/components/data-display/format";
import { useNow } from "@/components/data-display/use-now";
import { hasRole, useMe } from "@/features/auth";
import { gatewayHealthColumns, useGatewayHealth } from "@/features/gateways";
import { useDeleteDevice, useSiteDevices } from "../api/devices";
import { useDeleteSite, useSite } from "../api/sites";
import { DeviceFormModal } from "../components/DeviceFormModal";
import { DevicesTable } from "../components/DevicesTable";
import { SiteFormModal } from "../components/SiteFormModal";
import { TokensDrawer } from "../components/TokensDrawer";
import type { Device } from "../types";

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
  const devices = useSiteDevices(siteId);
  const { data: me } = useMe();
  const isAdmin = hasRole(me, "admin");
  const { message } = App.useApp();
  const navigate = useNavigate();
  const deleteSite = useDeleteSite();
  const deleteDevice = useDeleteDevice();
  const now = useNow(5_000);
  const gatewayHealth = useGatewayHealth(siteId);
  const healthColumns = useMemo(() => {
    const healths = gatewayHealth.data ?? [];
    if (healths.length === 0) return [];
    const byDevice = new Map(healths.map((h) => [h.device_id, h]));
    return gatewayHealthColumns<Device>(byDevice, now, site.data?.timezone);
  }, [gatewayHealth.data, now, site.data?.timezone]);
  const [dialog, setDialog] = useState<Dialog>(null);
  const close = () => setDialog(null);

  const breadcrumb = (
    <Breadcrumb
      style={{ marginBottom: 8 }}
      items={[{ title: <Link to="/sites">Sites</Link> }, { title: site.data?.name ?? "…" }]}
    />
  );

  if (site.isError) {
    const notFound = site.error instanceof ApiError && site.error.status === 404;
    return (
      <>
        {breadcrumb}
        <Result
          data-testid="site-not-found"
          status={notFound ? "404" : "error"}
          title={notFound ? "Site not found" : "The site could not be loaded"}
          subTitle={notFound ? "It may have been deleted." : errorMessage(site.error)}
          extra={<Link to="/sites">Back to the sites</Link>}
        />
      </>
    );
  }
  if (!site.data) {
    return (
      <>
        {breadcrumb}
        <Skeleton active />
      </>
    );
  }
  const current = site.data;

  const onDeleteSite = () =>
    deleteSite.mutateAsync(current.id).then(
      () => {
        void message.success(`Deleted ${current.name}`);
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
      {breadcrumb}
      <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 16 }}>
        <Typography.Title level={2} style={{ margin: 0 }} data-testid="site-title">
          {current.name}
        </Typography.Title>
        <Flex gap={8} wrap>
          <Button
            icon={<DashboardOutlined />}
            data-testid="site-dashboard"
            onClick={() => void navigate(`/?site=${current.id}`)}
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
                title={`Delete ${current.name}?`}
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
            { key: "timezone", label: "Time zone", children: current.timezone },
            { key: "utility", label: "Utility", children: current.utility || "—" },
            { key: "address", label: "Address", children: current.address || "—" },
            {
              key: "created",
              label: "Created",
              children: formatDateTimeIn(current.created_at, current.timezone, {
                dateStyle: "medium",
              }),
            },
          ]}
        />
      </Card>

      <Card
        title={`Devices (${devices.data?.length ?? current.device_count ?? 0})`}
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
        {devices.isError && (
          <Alert
            type="error"
            showIcon
            title="The devices could not be loaded"
            description={errorMessage(devices.error)}
            style={{ margin: 16 }}
          />
        )}
        <DevicesTable
          devices={devices.data}
          loading={devices.isPending && !devices.isError}
          now={now}
          timeZone={current.timezone}
          isAdmin={isAdmin}
          empty={noDevices}
          onEdit={(device) => setDialog({ kind: "edit-device", device })}
          onDelete={onDeleteDevice}
          onTokens={(device) => setDialog({ kind: "tokens", device })}
          extraColumns={healthColumns}
        />
      </Card>

      {dialog?.kind === "edit-site" && <SiteFormModal site={current} onClose={close} />}
      {dialog?.kind === "add-device" && <DeviceFormModal siteId={current.id} onClose={close} />}
      {dialog?.kind === "edit-device" && (
        <DeviceFormModal siteId={current.id} device={dialog.device} onClose={close} />
      )}
      {dialog?.kind === "tokens" && (
        <TokensDrawer device={dialog.device} timeZone={current.timezone} onClose={close} />
      )}
    </>
  );
}
