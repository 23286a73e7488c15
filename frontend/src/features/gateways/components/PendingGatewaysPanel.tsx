import {
  App,
  Badge,
  Button,
  Card,
  Empty,
  Flex,
  Popconfirm,
  Space,
  Switch,
  Table,
  Tag,
  Tooltip,
  Typography,
} from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes } from "react";
import { useState } from "react";
import { errorMessage } from "@/api/errors";
import { formatDateTimeIn, formatNumber } from "@/components/data-display/format";
import { formatAge } from "@/components/data-display/reading-age";
import { useNow } from "@/components/data-display/use-now";
import { testId } from "@/lib/test-id";
import { useBridgeStatus } from "../api/bridge";
import { useDismissGateway, usePendingGateways } from "../api/pending";
import type { RefreshOthers } from "../api/pending";
import type { PendingGateway, SiteChoice } from "../types";
import { AcceptGatewayModal } from "./AcceptGatewayModal";

type PendingGatewaysPanelProps = {
  isAdmin: boolean;
  /** The sites a gateway can be accepted into (the page's list). */
  sites: { data?: readonly SiteChoice[]; isPending: boolean };
  /** Refresh the sites and their devices after an accept or a dismissal. */
  refreshSites: RefreshOthers;
};

function NoPendingGateways({ prefix }: { prefix: string }) {
  return (
    <Empty
      data-testid="pending-gateways-empty"
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      description={
        <Flex vertical gap={4} align="center">
          <Typography.Text strong>No gateways waiting</Typography.Text>
          <Typography.Text type="secondary">
            A gateway the portal does not know yet appears here when it publishes to{" "}
            <Typography.Text code>devices/register</Typography.Text> or{" "}
            <Typography.Text code>{prefix}/&lt;gateway id&gt;/…</Typography.Text>; an administrator
            then accepts it into a site.
          </Typography.Text>
        </Flex>
      }
    />
  );
}

/**
 * Gateways that publish but are no device yet: nothing of theirs is stored until an
 * admin accepts one into a site (or dismisses it). Hidden while MQTT is off and none wait.
 */
export function PendingGatewaysPanel({ isAdmin, sites, refreshSites }: PendingGatewaysPanelProps) {
  const [showDismissed, setShowDismissed] = useState(false);
  const bridge = useBridgeStatus();
  const pending = usePendingGateways(showDismissed, bridge.isSuccess);
  const dismiss = useDismissGateway(refreshSites);
  const { message } = App.useApp();
  const now = useNow(10_000);
  const [accepting, setAccepting] = useState<PendingGateway | null>(null);

  const gateways = pending.data ?? [];
  if (!bridge.data || (!bridge.data.enabled && gateways.length === 0 && !showDismissed))
    return null;
  const waiting = gateways.filter((g) => !g.dismissed_at).length;

  const onDismiss = (gateway: PendingGateway) =>
    dismiss.mutateAsync(gateway.gateway_id).then(
      () => void message.success(`Dismissed ${gateway.gateway_id}`),
      (error: unknown) => void message.error(errorMessage(error)),
    );

  const columns: TableColumnsType<PendingGateway> = [
    {
      key: "gateway",
      title: "Gateway",
      dataIndex: "gateway_id",
      render: (id: string, gateway) => (
        <Space size={4}>
          <Typography.Text code data-testid="pending-gateway-id">
            {id}
          </Typography.Text>
          {gateway.dismissed_at && <Tag data-testid="pending-gateway-dismissed">Dismissed</Tag>}
        </Space>
      ),
    },
    {
      key: "model",
      title: "Model / firmware",
      render: (_, g) =>
        g.model || g.firmware ? (
          <span>
            {g.model ?? "—"}
            {g.firmware && <Typography.Text type="secondary"> · {g.firmware}</Typography.Text>}
          </span>
        ) : (
          <Tooltip title="It has not sent devices/register yet">
            <Typography.Text type="secondary">not registered</Typography.Text>
          </Tooltip>
        ),
    },
    {
      key: "first_seen",
      title: "First seen",
      render: (_, g) => formatDateTimeIn(g.first_seen_at),
    },
    {
      key: "last_seen",
      title: "Last seen",
      render: (_, g) => (
        <Tooltip title={g.last_topic ? `on ${g.last_topic}` : undefined}>
          {formatAge(g.last_seen_at, now)}
        </Tooltip>
      ),
    },
    {
      key: "messages",
      title: "Messages",
      align: "right",
      render: (_, g) => (
        <Tooltip title="Counted, not stored">
          <span data-testid="pending-gateway-messages">{formatNumber(g.message_count)}</span>
        </Tooltip>
      ),
    },
  ];
  if (isAdmin) {
    columns.push({
      key: "actions",
      title: "Actions",
      align: "right",
      render: (_, gateway) => (
        <Space size={4}>
          <Button
            size="small"
            type="primary"
            data-testid="pending-gateway-accept"
            onClick={() => setAccepting(gateway)}
          >
            Accept
          </Button>
          {!gateway.dismissed_at && (
            <Popconfirm
              title={`Dismiss ${gateway.gateway_id}?`}
              description="It leaves this list; its messages are still counted, not stored."
              okText="Dismiss"
              okButtonProps={{ "data-testid": "pending-gateway-dismiss-confirm" }}
              onConfirm={() => onDismiss(gateway)}
            >
              <Button size="small" data-testid="pending-gateway-dismiss">
                Dismiss
              </Button>
            </Popconfirm>
          )}
        </Space>
      ),
    });
  }

  return (
    <Card
      data-testid="pending-gateways"
      style={{ marginBottom: 16 }}
      styles={{ body: { padding: 0 } }}
      title={
        <Space>
          Pending gateways
          <Badge count={waiting} showZero={false} data-testid="pending-gateways-count" />
        </Space>
      }
      extra={
        <Space size={6}>
          <Typography.Text type="secondary">Show dismissed</Typography.Text>
          <Switch
            size="small"
            checked={showDismissed}
            onChange={setShowDismissed}
            data-testid="pending-gateways-show-dismissed"
          />
        </Space>
      }
    >
      <Table<PendingGateway>
        data-testid="pending-gateways-table"
        rowKey="gateway_id"
        columns={columns}
        dataSource={gateways}
        loading={pending.isPending && pending.fetchStatus !== "idle"}
        pagination={false}
        size="small"
        scroll={{ x: "max-content" }}
        locale={{ emptyText: <NoPendingGateways prefix={bridge.data.topic_prefix} /> }}
        onRow={(g) => testId(`pending-gateway-${g.gateway_id}`) as HTMLAttributes<HTMLElement>}
      />
      {accepting && (
        <AcceptGatewayModal
          gateway={accepting}
          sites={sites}
          refreshOthers={refreshSites}
          onClose={() => setAccepting(null)}
        />
      )}
    </Card>
  );
}
