import { Table, Tag, Typography } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes, ReactNode } from "react";
import { Link } from "react-router";
import { testId } from "@/lib/test-id";
import type { Site } from "../types";

type SitesTableProps = {
  sites: Site[] | undefined;
  loading: boolean;
  empty: ReactNode;
};

export function sitePath(site: Pick<Site, "id">): string {
  return `/sites/${site.id}`;
}

export function SitesTable({ sites, loading, empty }: SitesTableProps) {
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
