import { Table, Typography } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes, ReactNode } from "react";
import { ReadingAge } from "@/components/data-display/ReadingAge";
import { testId } from "@/lib/test-id";
import type { FleetDevice, FleetSite } from "../types";

/** One row per device; a site without devices still gets a row. */
export type DeviceRow = {
  key: string;
  site: FleetSite;
  device: FleetDevice | null;
};

export function deviceRows(sites: readonly FleetSite[]): DeviceRow[] {
  return sites.flatMap((site): DeviceRow[] =>
    site.devices.length > 0
      ? site.devices.map((device) => ({ key: `${site.id}-${device.id}`, site, device }))
      : [{ key: `${site.id}-`, site, device: null }],
  );
}

type CustomerDevicesTableProps = {
  sites: FleetSite[] | undefined;
  loading: boolean;
  now: number;
  empty: ReactNode;
};

const dash = <Typography.Text type="secondary">—</Typography.Text>;

/** A customer's sites and their devices, as its stack pushed them. */
export function CustomerDevicesTable({ sites, loading, now, empty }: CustomerDevicesTableProps) {
  const rows = sites ? deviceRows(sites) : undefined;
  const columns: TableColumnsType<DeviceRow> = [
    {
      key: "site",
      title: "Site",
      render: (_, row) => (
        <Typography.Text strong data-testid="fleet-site-name">
          {row.site.name}
        </Typography.Text>
      ),
      onCell: (row, index) => {
        // one merged cell per site
        if (!rows || index === undefined) return {};
        const first = rows.findIndex((r) => r.site.id === row.site.id);
        if (first !== index) return { rowSpan: 0 };
        return { rowSpan: rows.filter((r) => r.site.id === row.site.id).length };
      },
    },
    {
      key: "timezone",
      title: "Time zone",
      render: (_, row) => row.site.timezone,
      onCell: (row, index) => {
        if (!rows || index === undefined) return {};
        const first = rows.findIndex((r) => r.site.id === row.site.id);
        if (first !== index) return { rowSpan: 0 };
        return { rowSpan: rows.filter((r) => r.site.id === row.site.id).length };
      },
    },
    {
      key: "device",
      title: "Device",
      render: (_, row) =>
        row.device ? (
          <span data-testid="fleet-device-name">{row.device.name}</span>
        ) : (
          <Typography.Text type="secondary">no devices</Typography.Text>
        ),
    },
    {
      key: "serial",
      title: "Serial",
      render: (_, row) =>
        row.device ? <Typography.Text code>{row.device.serial}</Typography.Text> : dash,
    },
    {
      key: "model",
      title: "Model",
      render: (_, row) => row.device?.model || dash,
    },
    {
      key: "last_reading_at",
      title: "Last reading",
      render: (_, row) =>
        row.device ? (
          <ReadingAge
            lastReadingAt={row.device.last_reading_at}
            now={now}
            timeZone={row.site.timezone}
          />
        ) : (
          dash
        ),
    },
  ];

  return (
    <Table<DeviceRow>
      data-testid="customer-devices-table"
      rowKey="key"
      columns={columns}
      dataSource={rows}
      loading={loading}
      pagination={false}
      scroll={{ x: "max-content" }}
      locale={{ emptyText: empty }}
      onRow={(row) =>
        testId(
          row.device ? `fleet-device-row-${row.device.serial}` : `fleet-site-row-${row.site.id}`,
        ) as HTMLAttributes<HTMLElement>
      }
    />
  );
}
