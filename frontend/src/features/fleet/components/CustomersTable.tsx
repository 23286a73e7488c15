import { Table, Tooltip, Typography } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes, ReactNode } from "react";
import { Link } from "react-router";
import { formatDateTimeIn, formatNumber } from "@/components/data-display/format";
import { testId } from "@/lib/test-id";
import type { Customer, CustomerWithToken } from "../types";
import { CustomerActions } from "./CustomerActions";
import { ActiveTag, FreshnessTag } from "./FreshnessTag";

export function customerPath(customer: Pick<Customer, "code">): string {
  return `/fleet/${encodeURIComponent(customer.code)}`;
}

type CustomersTableProps = {
  customers: Customer[] | undefined;
  loading: boolean;
  now: number;
  isAdmin: boolean;
  empty: ReactNode;
  onRotated: (customer: CustomerWithToken) => void;
};

const dash = <Typography.Text type="secondary">—</Typography.Text>;

/** Every customer stack: what it pushed, when, and whether it is healthy. */
export function CustomersTable({
  customers,
  loading,
  now,
  isAdmin,
  empty,
  onRotated,
}: CustomersTableProps) {
  const columns: TableColumnsType<Customer> = [
    {
      key: "code",
      title: "Code",
      dataIndex: "code",
      fixed: "left",
      sorter: (a, b) => a.code.localeCompare(b.code),
      defaultSortOrder: "ascend",
      render: (code: string, customer) => (
        <Link to={customerPath(customer)} data-testid="customer-link">
          <Typography.Text strong style={{ color: "inherit" }}>
            {code}
          </Typography.Text>
        </Link>
      ),
    },
    { key: "name", title: "Name", dataIndex: "name", ellipsis: true },
    {
      key: "counts",
      title: "Sites / devices",
      align: "right",
      sorter: (a, b) => (a.device_count ?? 0) - (b.device_count ?? 0),
      render: (_, customer) => (
        <span style={{ fontVariantNumeric: "tabular-nums", whiteSpace: "nowrap" }}>
          <span data-testid="customer-sites">{formatNumber(customer.site_count ?? 0)}</span>
          <Typography.Text type="secondary"> / </Typography.Text>
          <span data-testid="customer-devices">{formatNumber(customer.device_count ?? 0)}</span>
        </span>
      ),
    },
    {
      key: "last_seen_at",
      title: "Last seen",
      dataIndex: "last_seen_at",
      sorter: (a, b) => Date.parse(a.last_seen_at ?? "0") - Date.parse(b.last_seen_at ?? "0"),
      render: (at: string | null) => <FreshnessTag at={at} now={now} />,
    },
    {
      key: "rows_last_24h",
      title: "Rows 24 h",
      dataIndex: "rows_last_24h",
      align: "right",
      sorter: (a, b) => (a.rows_last_24h ?? 0) - (b.rows_last_24h ?? 0),
      render: (n: number | undefined) => (
        <span data-testid="customer-rows-24h" style={{ fontVariantNumeric: "tabular-nums" }}>
          {formatNumber(n ?? 0)}
        </span>
      ),
    },
    {
      key: "last_error",
      title: "Last error",
      dataIndex: "last_error",
      width: 130,
      render: (error: string | null | undefined, customer) =>
        error ? (
          <Tooltip
            title={
              <>
                {error}
                {customer.last_error_at && (
                  <div style={{ opacity: 0.75, marginTop: 4 }}>
                    {formatDateTimeIn(customer.last_error_at)}
                  </div>
                )}
              </>
            }
          >
            <Typography.Text
              type="danger"
              data-testid="customer-last-error"
              style={{ display: "block", maxWidth: 130 }}
              ellipsis
            >
              {error}
            </Typography.Text>
          </Tooltip>
        ) : (
          dash
        ),
    },
    {
      key: "active",
      title: "Status",
      dataIndex: "active",
      filters: [
        { text: "Active", value: true },
        { text: "Deactivated", value: false },
      ],
      onFilter: (value, customer) => customer.active === value,
      render: (active: boolean) => <ActiveTag active={active} />,
    },
  ];
  if (isAdmin) {
    columns.push({
      key: "actions",
      title: "Actions",
      align: "right",
      fixed: "right",
      render: (_, customer) => <CustomerActions customer={customer} onRotated={onRotated} />,
    });
  }

  return (
    <Table<Customer>
      data-testid="customers-table"
      rowKey="code"
      columns={columns}
      dataSource={customers}
      loading={loading}
      pagination={false}
      scroll={{ x: "max-content" }}
      locale={{ emptyText: empty }}
      onRow={(customer) => testId(`customer-row-${customer.code}`) as HTMLAttributes<HTMLElement>}
    />
  );
}
