import { Table, Tag, Typography } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes, ReactNode } from "react";
import { Link } from "react-router";
import type { SiteGateways } from "@/features/gateways";
import { testId } from "@/lib/test-id";
import type { Site } from "../types";

/** "2 online", "1 offline", "1 waiting" for a site's gateways; "—" when it has none. */
function SiteGatewaysTags({ summary }: { summary: SiteGateways | undefined }) {
  if (!summary) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <span data-testid="site-gateways">
      {summary.online > 0 && <Tag color="green">{summary.online} online</Tag>}
      {summary.offline > 0 && (
        <Tag color="red" data-testid="site-gateways-offline">
          {summary.offline} offline
        </Tag>
      )}
      {summary.waiting > 0 && <Tag>{summary.waiting} waiting</Tag>}
    </span>
  );
}

type SitesTableProps = {
  sites: Site[] | undefined;
  loading: boolean;
  empty: ReactNode;
  /** Each site's MQTT gateways by state; the column shows when any site has one. */
  gateways?: ReadonlyMap<number, SiteGateways>;
};

export function sitePath(site: Pick<Site, "id">): string {
  return `/sites/${site.id}`;
}

export function SitesTable({ sites, loading, empty, gateways }: SitesTableProps) {
  const columns: TableColumnsType<Site> = [
    {
      key: "name",
      title: "Name",
      dataIndex: "name",
      sorter: (a, b) => a.name.localeCompare(b.name),
      defaultSortOrder: "ascend",
      render: (name: string, site) => (
        <Link to={sitePath(site)} data-testid="site-link">
          <Typography.Text strong style={{ color: "inherit" }}>
            {name}
          </Typography.Text>
        </Link>
      ),
    },
    { key: "timezone", title: "Time zone", dataIndex: "timezone" },
    {
      key: "utility",
      title: "Utility",
      dataIndex: "utility",
      render: (utility: string | null) =>
        utility || <Typography.Text type="secondary">—</Typography.Text>,
    },
    {
      key: "address",
      title: "Address",
      dataIndex: "address",
      ellipsis: true,
      render: (address: string | null) =>
        address || <Typography.Text type="secondary">—</Typography.Text>,
    },
    {
      key: "device_count",
      title: "Devices",
      dataIndex: "device_count",
      align: "right",
      sorter: (a, b) => (a.device_count ?? 0) - (b.device_count ?? 0),
      render: (count: number | undefined) => (
        <Tag data-testid="site-device-count" color={count ? "blue" : "default"}>
          {count ?? 0}
        </Tag>
      ),
    },
  ];
  if (gateways && gateways.size > 0) {
    columns.push({
      key: "gateways",
      title: "Gateways",
      render: (_, site) => <SiteGatewaysTags summary={gateways.get(site.id)} />,
    });
  }

  return (
    <Table<Site>
      data-testid="sites-table"
      rowKey="id"
      columns={columns}
      dataSource={sites}
      loading={loading}
      pagination={false}
      scroll={{ x: "max-content" }}
      locale={{ emptyText: empty }}
      onRow={(site) => testId(`site-row-${site.name}`) as HTMLAttributes<HTMLElement>}
    />
  );
}
