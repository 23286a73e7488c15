import { Alert, Card, Empty, Space, Table } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes } from "react";
import { Link } from "react-router";
import { formatNumber } from "@/components/data-display/format";
import { DownloadButtons } from "@/components/downloads/DownloadButtons";
import { QueryError } from "@/components/resource-page/ResourcePage";
import { billUnavailable, formatAmount } from "@/features/billing";
import { testId } from "@/lib/test-id";
import { tenantBillDownloads, useSiteTenantBills } from "../api/tenants";
import { tenantBillPath } from "../lib/paths";
import type { TenantBill } from "../types";

/**
 * Every tenant's bill of the month, with totals; each opens as a document or downloads (CSV,
 * PDF, Excel).
 */
export function TenantBillsCard({ siteId, month }: { siteId: number; month: string }) {
  const bills = useSiteTenantBills(siteId, month);
  const rows = bills.data ?? [];
  const unavailable = billUnavailable(bills.error);
  const currency = rows[0]?.currency ?? "";
  const sum = (pick: (b: TenantBill) => number) =>
    Math.round(rows.reduce((s, b) => s + pick(b), 0) * 100) / 100;

  const columns: TableColumnsType<TenantBill> = [
    {
      key: "tenant",
      title: "Tenant",
      render: (_, b) => (
        <Link
          to={tenantBillPath(b.tenant_id, month)}
          data-testid={`tenant-bill-open-${b.tenant_id}`}
        >
          {b.tenant_name}
        </Link>
      ),
    },
    {
      key: "energy",
      title: "Energy (kWh)",
      align: "right",
      render: (_, b) => formatNumber(b.energy_kwh, 1),
    },
    {
      key: "subtotal",
      title: `Subtotal (${currency})`,
      align: "right",
      render: (_, b) => formatAmount(b.subtotal),
    },
    { key: "vat", title: "VAT", align: "right", render: (_, b) => formatAmount(b.vat) },
    {
      key: "total",
      title: `Total (${currency})`,
      align: "right",
      render: (_, b) => <span data-testid="tenant-bills-row-total">{formatAmount(b.total)}</span>,
    },
    {
      key: "downloads",
      title: "",
      align: "right",
      render: (_, b) => (
        <DownloadButtons
          size="small"
          what={`${b.tenant_name}'s bill`}
          downloads={tenantBillDownloads(b.tenant_id, month, `-${b.tenant_id}`)}
        />
      ),
    },
  ];

  return (
    <Card size="small" title="Tenant bills">
      {unavailable ? (
        <Alert
          data-testid="tenant-bills-unavailable"
          type="info"
          showIcon
          title="No tenant bills for this month"
          description={unavailable.detail || "The site's bill cannot be calculated for this month."}
          style={{ marginBottom: 12 }}
        />
      ) : (
        <QueryError
          query={bills}
          title="The tenant bills could not be calculated"
          testId="tenant-bills-error"
        />
      )}
      <Table<TenantBill>
        data-testid="tenant-bills-table"
        size="small"
        rowKey="tenant_id"
        loading={bills.isPending}
        columns={columns}
        dataSource={rows}
        pagination={false}
        onRow={(b) => testId(`tenant-bills-row-${b.tenant_id}`) as HTMLAttributes<HTMLElement>}
        locale={{
          emptyText: (
            <Empty
              image={Empty.PRESENTED_IMAGE_SIMPLE}
              description="No tenant bills this month: add tenants and assign their meters."
            />
          ),
        }}
        summary={() =>
          rows.length > 0 && (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0}>
                <strong>All tenants</strong>
              </Table.Summary.Cell>
              <Table.Summary.Cell index={1} align="right">
                {formatNumber(
                  sum((b) => b.energy_kwh),
                  1,
                )}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={2} align="right">
                {formatAmount(sum((b) => b.subtotal))}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={3} align="right">
                {formatAmount(sum((b) => b.vat))}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={4} align="right">
                <Space>
                  <strong data-testid="tenant-bills-total">
                    {formatAmount(sum((b) => b.total))}
                  </strong>
                </Space>
              </Table.Summary.Cell>
              <Table.Summary.Cell index={5} />
            </Table.Summary.Row>
          )
        }
      />
    </Card>
  );
}
