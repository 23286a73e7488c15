import { Table, Typography } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes } from "react";
import { testId } from "@/lib/test-id";
import { billSections, formatAmount, formatQuantity, formatRate } from "../lib/format";
import type { Bill, BillLine } from "../lib/types";

type Row =
  | { key: string; type: "section"; title: string; kind: string; amount: number }
  | { key: string; type: "line"; line: BillLine };

function rowsOf(bill: Bill): Row[] {
  const rows: Row[] = [];
  for (const section of billSections(bill.lines)) {
    rows.push({
      key: `section-${section.kind}`,
      type: "section",
      title: section.title,
      kind: section.kind,
      amount: section.amount,
    });
    section.lines.forEach((line, i) =>
      rows.push({ key: `${section.kind}-${i}`, type: "line", line }),
    );
  }
  return rows;
}

/** "VAT (15%)": the effective rate (versions may differ; VAT is rounded per version). */
function vatLabel(bill: Bill): string {
  if (bill.subtotal <= 0) return "VAT";
  const pct = Math.round((bill.vat / bill.subtotal) * 1000) / 10;
  return `VAT (${pct}%)`;
}

const sectionCell = (row: Row) => (row.type === "section" ? { colSpan: 0 } : {});

/** The lines of a bill by kind, with quantities, rates and amounts; subtotal, VAT and total. */
export function BillTable({ bill, compact = false }: { bill: Bill; compact?: boolean }) {
  const currency = bill.currency;
  const columns: TableColumnsType<Row> = [
    {
      key: "description",
      title: "Description",
      render: (_, row) =>
        row.type === "section" ? (
          <Typography.Text strong data-testid={`bill-section-${row.kind}`}>
            {row.title}
          </Typography.Text>
        ) : (
          <span style={{ paddingInlineStart: 12 }}>{row.line.description}</span>
        ),
      onCell: (row) => (row.type === "section" ? { colSpan: compact ? 3 : 5 } : {}),
    },
    ...(compact
      ? []
      : [
          {
            key: "season",
            title: "Season",
            render: (_: unknown, row: Row) =>
              row.type === "line" ? (row.line.season ?? "—") : null,
            onCell: sectionCell,
          },
          {
            key: "period",
            title: "Period",
            render: (_: unknown, row: Row) =>
              row.type === "line" ? (row.line.period ?? "—") : null,
            onCell: sectionCell,
          },
        ]),
    {
      key: "quantity",
      title: "Quantity",
      align: "right",
      render: (_, row) =>
        row.type === "line" ? formatQuantity(row.line.quantity, row.line.unit) : null,
      onCell: sectionCell,
    },
    {
      key: "rate",
      title: `Rate (${currency})`,
      align: "right",
      render: (_, row) =>
        row.type === "line" ? (
          <span>
            {formatRate(row.line.rate)}
            <Typography.Text type="secondary"> / {row.line.unit}</Typography.Text>
          </span>
        ) : null,
      onCell: sectionCell,
    },
    {
      key: "amount",
      title: `Amount (${currency})`,
      align: "right",
      render: (_, row) =>
        row.type === "line" ? (
          <span data-testid="bill-line-amount">{formatAmount(row.line.amount)}</span>
        ) : (
          <Typography.Text strong>{formatAmount(row.amount)}</Typography.Text>
        ),
    },
  ];
  const span = columns.length - 1;

  return (
    <Table<Row>
      data-testid="bill-table"
      className="bill-table"
      size="small"
      rowKey="key"
      columns={columns}
      dataSource={rowsOf(bill)}
      pagination={false}
      scroll={{ x: "max-content" }}
      rowClassName={(row) => (row.type === "section" ? "bill-section-row" : "bill-line-row")}
      onRow={(row) =>
        testId(
          row.type === "line" ? `bill-line-${row.line.kind}` : `bill-section-row-${row.kind}`,
        ) as HTMLAttributes<HTMLElement>
      }
      locale={{ emptyText: "No charges in this period" }}
      summary={() => (
        <Table.Summary>
          <Table.Summary.Row className="bill-summary-row">
            <Table.Summary.Cell index={0} colSpan={span} align="right">
              Subtotal
            </Table.Summary.Cell>
            <Table.Summary.Cell index={1} align="right">
              <span data-testid="bill-subtotal">{formatAmount(bill.subtotal)}</span>
            </Table.Summary.Cell>
          </Table.Summary.Row>
          <Table.Summary.Row className="bill-summary-row">
            <Table.Summary.Cell index={0} colSpan={span} align="right">
              {vatLabel(bill)}
            </Table.Summary.Cell>
            <Table.Summary.Cell index={1} align="right">
              <span data-testid="bill-vat">{formatAmount(bill.vat)}</span>
            </Table.Summary.Cell>
          </Table.Summary.Row>
          <Table.Summary.Row className="bill-total-row">
            <Table.Summary.Cell index={0} colSpan={span} align="right">
              <Typography.Text strong>Total ({currency})</Typography.Text>
            </Table.Summary.Cell>
            <Table.Summary.Cell index={1} align="right">
              <Typography.Text strong data-testid="bill-total">
                {formatAmount(bill.total)}
              </Typography.Text>
            </Table.Summary.Cell>
          </Table.Summary.Row>
        </Table.Summary>
      )}
    />
  );
}
