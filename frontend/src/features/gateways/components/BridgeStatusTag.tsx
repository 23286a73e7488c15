import { ApiOutlined } from "@ant-design/icons";
import { Descriptions, Popover, Tag, Typography } from "antd";
import { formatDateTimeIn, formatNumber } from "@/components/data-display/format";
import { useBridgeStatus } from "../api/bridge";
import type { BridgeStatus } from "../types";

export type BridgeState = "off" | "standby" | "connected" | "disconnected";

export function bridgeState(bridge: BridgeStatus): BridgeState {
  if (!bridge.enabled) return "off";
  if (!bridge.running) return "standby";
  return bridge.connected ? "connected" : "disconnected";
}

const LOOK: Record<BridgeState, { color: string; label: string }> = {
  off: { color: "default", label: "MQTT off" },
  standby: { color: "orange", label: "MQTT not running" },
  connected: { color: "green", label: "MQTT connected" },
  disconnected: { color: "red", label: "MQTT disconnected" },
};

function counts(values: Record<string, number>): string {
  const entries = Object.entries(values);
  if (entries.length === 0) return "none";
  return entries.map(([key, n]) => `${key} ${formatNumber(n)}`).join(", ");
}

function Details({ bridge }: { bridge: BridgeStatus }) {
  if (!bridge.enabled) {
    return (
      <Typography.Paragraph style={{ maxWidth: 320, margin: 0 }}>
        Gateways can publish over MQTT once the portal knows the broker: set{" "}
        <Typography.Text code>PORTAL_MQTT__URL</Typography.Text> (see Settings → App config).
      </Typography.Paragraph>
    );
  }
  return (
    <Descriptions
      size="small"
      column={1}
      style={{ maxWidth: 420 }}
      data-testid="bridge-details"
      items={[
        // The broker's address and the last error are an admin's to read (null for a viewer).
        ...(bridge.broker ? [{ key: "broker", label: "Broker", children: bridge.broker }] : []),
        { key: "prefix", label: "Topics", children: `${bridge.topic_prefix}/<gateway>/…` },
        {
          key: "since",
          label: "Connected since",
          children: bridge.connected_since ? formatDateTimeIn(bridge.connected_since) : "—",
        },
        { key: "messages", label: "Messages", children: formatNumber(bridge.messages_received) },
        {
          key: "rows",
          label: "Readings stored",
          children: `${formatNumber(bridge.rows_stored)} in ${formatNumber(bridge.batches_stored)} batches`,
        },
        {
          key: "unaccepted",
          label: "From pending gateways",
          children: formatNumber(bridge.unaccepted_messages),
        },
        { key: "rejected", label: "Rejected", children: counts(bridge.rejects) },
        { key: "unknown", label: "Unknown keys", children: counts(bridge.unknown_keys) },
        ...(bridge.last_error
          ? [{ key: "error", label: "Last error", children: bridge.last_error }]
          : []),
      ]}
    />
  );
}

/** A small tag saying whether the MQTT bridge is connected; details in a popover. */
export function BridgeStatusTag() {
  const bridge = useBridgeStatus();
  if (!bridge.data) return null;
  const state = bridgeState(bridge.data);
  const { color, label } = LOOK[state];
  return (
    <Popover title="Gateways over MQTT" content={<Details bridge={bridge.data} />}>
      <Tag
        color={color}
        icon={<ApiOutlined />}
        data-testid="bridge-status"
        data-state={state}
        style={{ cursor: "default" }}
      >
        {label}
      </Tag>
    </Popover>
  );
}
