import { Space, Tag, Tooltip, Typography } from "antd";
import type { TableColumnsType } from "antd";
import { formatAdaptive, formatDateTimeIn } from "@/components/data-display/format";
import {
  errorRateColor,
  formatDuration,
  formatErrorRate,
  formatSeen,
  signalColors,
  signalQuality,
} from "../lib/connection";
import type { GatewayHealth } from "../types";
import { ConnectionBadge } from "./ConnectionBadge";

const none = (hint: string) => (
  <Tooltip title={hint}>
    <Typography.Text type="secondary">—</Typography.Text>
  </Tooltip>
);
const NO_GATEWAY = "No MQTT gateway has spoken for this device.";

/**
 * Table columns with each device's gateway health (connection, last seen, signal,
 * firmware, Modbus errors, latest power), for any table of rows with a device `id`.
 */
export function gatewayHealthColumns<Row extends { id: number }>(
  healthByDevice: ReadonlyMap<number, GatewayHealth>,
  now: number,
  timeZone?: string,
): TableColumnsType<Row> {
  const of = (row: Row) => healthByDevice.get(row.id);
  return [
    {
      key: "gateway-connection",
      title: "Gateway",
      render: (_, row) => {
        const health = of(row);
        if (!health) return none(NO_GATEWAY);
        return (
          <Space size={4}>
            <ConnectionBadge health={health} now={now} />
            <Tooltip title={`Last message: ${formatDateTimeIn(health.last_seen_at, timeZone)}`}>
              <Typography.Text type="secondary" data-testid="gateway-last-seen">
                {formatSeen(health.last_seen_at, now)}
              </Typography.Text>
            </Tooltip>
          </Space>
        );
      },
    },
    {
      key: "gateway-power",
      title: "Power",
      align: "right",
      render: (_, row) => {
        const health = of(row);
        if (!health || health.latest_power_kw === null) return none("No reading yet.");
        return (
          <Tooltip title={`Reading of ${formatDateTimeIn(health.latest_reading_at, timeZone)}`}>
            <span data-testid="gateway-power">{formatAdaptive(health.latest_power_kw)} kW</span>
          </Tooltip>
        );
      },
    },
    {
      key: "gateway-signal",
      title: "Signal",
      render: (_, row) => {
        const health = of(row);
        if (!health || health.rssi_dbm === null) return none("No heartbeat with a signal yet.");
        const quality = signalQuality(health.rssi_dbm);
        return (
          <Tag color={signalColors[quality]} data-testid="gateway-signal" data-quality={quality}>
            {health.rssi_dbm} dBm
          </Tag>
        );
      },
    },
    {
      key: "gateway-firmware",
      title: "Firmware",
      render: (_, row) => {
        const health = of(row);
        if (!health?.firmware) return none("The gateway has not said yet.");
        return (
          <Tooltip
            title={
              health.uptime_seconds === null
                ? undefined
                : `Up ${formatDuration(health.uptime_seconds)}`
            }
          >
            <Typography.Text code data-testid="gateway-firmware">
              {health.firmware}
            </Typography.Text>
          </Tooltip>
        );
      },
    },
    {
      key: "gateway-errors",
      title: "Modbus errors",
      align: "right",
      render: (_, row) => {
        const health = of(row);
        if (!health || health.modbus_error_rate === null) return none("No heartbeat yet.");
        const color = errorRateColor(health.modbus_error_rate);
        const text = formatErrorRate(health.modbus_error_rate);
        return (
          <Tooltip title={health.sd_state ? `SD card: ${health.sd_state}` : undefined}>
            <span data-testid="gateway-errors">
              {color ? <Tag color={color}>{text}</Tag> : text}
            </span>
          </Tooltip>
        );
      },
    },
  ];
}
