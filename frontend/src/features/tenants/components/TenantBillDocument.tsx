import { Descriptions, Table, Typography } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes } from "react";
import { formatNumber } from "@/components/data-display/format";
import { BillLetterhead, formatAmount } from "@/features/billing";
import { useBrand } from "@/features/branding";
import { testId } from "@/lib/test-id";
import { wallClock } from "../lib/instants";
import type { TenantBill, TenantBillLine, TenantBillMeter } from "../types";

const KWH = (value: number | null) => (value === null ? "—" : formatNumber(value, 1));

/** "VAT (15%)" from the bill's figures. */
export function vatLabel(bill: Pick<TenantBill, "vat" | "subtotal">): string {
  if (bill.subtotal <= 0) return "VAT";
  return `VAT (${Math.round((bill.vat / bill.subtotal) * 1000) / 10}%)`;
}

function MetersTable({ bill }: { bill: TenantBill }) {
  const columns: TableColumnsType<TenantBillMeter> = [
    { key: "name", title: "Meter", dataIndex: "name" },
    {
      key: "span",
      title: "From – to",
      render: (_, m) => `${wallClock(m.from)} – ${wallClock(m.to)}`,
    },
    {
      key: "opening",
      title: "Opening (kWh)",
      align: "right",
      render: (_, m) => (
        <span data-testid="meter-opening" data-kwh={m.opening_kwh ?? ""}>
          {KWH(m.opening_kwh)}
        </span>
      ),
    },
    {
      key: "closing",
      title: "Closing (kWh)",
      align: "right",
      render: (_, m) => (
        <span data-testid="meter-closing" data-kwh={m.closing_kwh ?? ""}>
          {KWH(m.closing_kwh)}
        </span>
      ),
    },
    {
      key: "energy",
      title: "Energy (kWh)",
      align: "right",
      render: (_, m) => (
        <span data-testid="meter-energy" data-kwh={m.energy_kwh}>
          {formatNumber(m.energy_kwh, 1)}
        </span>
      ),
    },
  ];
  return (
    <Table<TenantBillMeter>
      data-testid="tenant-bill-meters"
      size="small"
      rowKey={(m) => `${m.kind}-${m.id}-${m.from}`}
      columns={columns}
      dataSource={bill.meters}
      pagination={false}
      scroll={{ x: "max-content" }}
      onRow={(m) => testId(`tenant-bill-meter-${m.kind}-${m.id}`) as HTMLAttributes<HTMLElement>}
      locale={{ emptyText: "No meter in this month" }}
      style={{ marginBottom: 16 }}
    />
  );
}

type LineRow = TenantBillLine & { row: number };

function LinesTable({ bill }: { bill: TenantBill }) {
  const rows: LineRow[] = bill.lines.map((line, row) => ({ ...line, row }));
  const columns: TableColumnsType<LineRow> = [
    { key: "description", title: "Description", dataIndex: "description" },
    {
      key: "quantity",
      title: "Quantity",
      align: "right",
      render: (_, l) => `${formatAmount(l.quantity)} ${l.unit}`,
    },
    {
      key: "rate",
      title: `Rate (${bill.currency})`,
      align: "right",
      render: (_, l) => formatNumber(l.rate, 4),
    },
    {
      key: "amount",
      title: `Amount (${bill.currency})`,
      align: "right",
      render: (_, l) => <span data-testid="tenant-bill-line-amount">{formatAmount(l.amount)}</span>,
    },
  ];
  return (
    <Table<LineRow>
      data-testid="tenant-bill-lines"
      className="bill-table"
      size="small"
      rowKey="row"
      columns={columns}
      dataSource={rows}
      pagination={false}
      scroll={{ x: "max-content" }}
      onRow={(l) => testId(`tenant-bill-line-${l.kind}`) as HTMLAttributes<HTMLElement>}
      locale={{ emptyText: "No charges in this month" }}
      summary={() => (
        <Table.Summary>
          <Table.Summary.Row>
            <Table.Summary.Cell index={0} colSpan={3} align="right">
              Subtotal
            </Table.Summary.Cell>
            <Table.Summary.Cell index={1} align="right">
              <span data-testid="tenant-bill-subtotal">{formatAmount(bill.subtotal)}</span>
            </Table.Summary.Cell>
          </Table.Summary.Row>
          <Table.Summary.Row>
            <Table.Summary.Cell index={0} colSpan={3} align="right">
              {vatLabel(bill)}
            </Table.Summary.Cell>
            <Table.Summary.Cell index={1} align="right">
              <span data-testid="tenant-bill-vat">{formatAmount(bill.vat)}</span>
            </Table.Summary.Cell>
          </Table.Summary.Row>
          <Table.Summary.Row className="bill-total-row">
            <Table.Summary.Cell index={0} colSpan={3} align="right">
              <Typography.Text strong>Total ({bill.currency})</Typography.Text>
            </Table.Summary.Cell>
            <Table.Summary.Cell index={1} align="right">
              <Typography.Text strong data-testid="tenant-bill-total">
                {formatAmount(bill.total)}
              </Typography.Text>
            </Table.Summary.Cell>
          </Table.Summary.Row>
        </Table.Summary>
      )}
    />
  );
}

/** A tenant's bill as a document: letterhead, the meters' readings, the lines, the total. */
export function TenantBillDocument({ bill }: { bill: TenantBill }) {
  const { product_name: productName } = useBrand();
  return (
    <div className="bill-document" data-testid="tenant-bill-document" data-tenant={bill.tenant_id}>
      <BillLetterhead
        name={bill.tenant_name}
        kind="Electricity recharge"
        start={bill.start}
        end={bill.end}
        total={bill.total}
        currency={bill.currency}
        testIds={{
          name: "tenant-bill-name",
          period: "tenant-bill-period",
          total: "tenant-bill-total-headline",
        }}
      />
      <Descriptions
        size="small"
        column={{ xs: 1, sm: 3 }}
        style={{ marginBottom: 16 }}
        items={[
          {
            key: "energy",
            label: "Energy",
            children: (
              <span data-testid="tenant-bill-energy" data-kwh={bill.energy_kwh}>
                {formatNumber(bill.energy_kwh, 1)} kWh
              </span>
            ),
          },
          { key: "month", label: "Month", children: bill.month },
          { key: "currency", label: "Currency", children: bill.currency },
        ]}
      />
      <Typography.Title level={5}>Meter readings</Typography.Title>
      <MetersTable bill={bill} />
      <Typography.Title level={5}>Charges</Typography.Title>
      <LinesTable bill={bill} />
      <Typography.Paragraph
        type="secondary"
        style={{ fontSize: 12, marginTop: 12, marginBottom: 0 }}
      >
        Calculated by {productName} from the meters&apos; cumulative import registers; amounts in{" "}
        {bill.currency}, VAT on the subtotal. This is an estimate, not a tax invoice.
      </Typography.Paragraph>
    </div>
  );
}
