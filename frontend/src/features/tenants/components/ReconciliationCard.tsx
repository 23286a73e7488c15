import { Alert, Card, Col, Flex, Row, Statistic, Table, Tag, Typography } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes } from "react";
import { useMemo } from "react";
import { ChartCard } from "@/components/charts/ChartCard";
import { csvFileName } from "@/components/charts/csv";
import { formatNumber } from "@/components/data-display/format";
import { DownloadButtons } from "@/components/downloads/DownloadButtons";
import { LoadFailed } from "@/components/resource-page/ResourcePage";
import { billUnavailable, formatAmount } from "@/features/billing";
import { testId } from "@/lib/test-id";
import { reconciliationXlsxUrl, useReconciliation } from "../api/tenants";
import { reconciliationView } from "../lib/reconciliation";
import type { Slice } from "../lib/reconciliation";
import { reconciliationCsv, reconciliationOption } from "../lib/reconciliation-chart";

/** The month's reconciliation: the utility bill against the tenants, common areas and the rest. */
export function ReconciliationCard({ siteId, month }: { siteId: number; month: string }) {
  const rec = useReconciliation(siteId, month);
  const view = useMemo(() => (rec.data ? reconciliationView(rec.data) : null), [rec.data]);
  const option = useMemo(
    () => (rec.data && view ? reconciliationOption(rec.data, view) : null),
    [rec.data, view],
  );
  const csv = useMemo(
    () => (rec.data && view ? reconciliationCsv(rec.data, view) : null),
    [rec.data, view],
  );

  if (rec.isError) {
    const unavailable = billUnavailable(rec.error);
    return unavailable ? (
      <Alert
        data-testid="reconciliation-unavailable"
        type="info"
        showIcon
        title="No reconciliation for this month"
        description={unavailable.detail || "The site's bill cannot be calculated for this month."}
      />
    ) : (
      <LoadFailed
        error={rec.error}
        title="The reconciliation could not be calculated"
        testId="reconciliation-error"
      />
    );
  }
  const data = rec.data;
  const currency = data?.currency ?? "";

  const columns: TableColumnsType<Slice> = [
    { key: "label", title: "Where", dataIndex: "label" },
    {
      key: "energy",
      title: "Energy (kWh)",
      align: "right",
      render: (_, s) => (s.energyKwh === null ? "—" : formatNumber(s.energyKwh, 1)),
    },
    {
      key: "cost",
      title: `Cost (${currency})`,
      align: "right",
      render: (_, s) => <span data-testid="reconciliation-cost">{formatAmount(s.cost)}</span>,
    },
  ];

  return (
    <div data-testid="reconciliation" data-adds-up={view ? String(view.addsUp) : undefined}>
      <Flex justify="flex-end" style={{ marginBottom: 12 }}>
        <DownloadButtons
          what="the reconciliation"
          disabled={!data}
          downloads={[
            {
              format: "xlsx",
              href: reconciliationXlsxUrl(siteId, month),
              testId: "reconciliation-xlsx",
            },
          ]}
        />
      </Flex>
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic
              title="Utility bill (excl. VAT)"
              value={data ? formatAmount(data.utility.subtotal) : "—"}
              suffix={currency}
              valueRender={(node) => <span data-testid="reconciliation-utility">{node}</span>}
            />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic
              title="Recovered from tenants"
              value={data ? formatAmount(data.recovered_subtotal) : "—"}
              suffix={currency}
              valueRender={(node) => <span data-testid="reconciliation-recovered">{node}</span>}
            />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic
              title="Recovery"
              value={data?.recovery_percent ?? "—"}
              precision={data?.recovery_percent == null ? undefined : 1}
              suffix={data?.recovery_percent == null ? undefined : "%"}
              valueRender={(node) => <span data-testid="reconciliation-recovery">{node}</span>}
            />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic
              title="Landlord's share"
              value={data ? formatAmount(data.landlord_share.cost) : "—"}
              suffix={currency}
              valueRender={(node) => <span data-testid="reconciliation-landlord">{node}</span>}
            />
          </Card>
        </Col>
      </Row>
      <ChartCard
        title="Where the utility bill went"
        subtitle={`Before VAT, ${currency}`}
        testId="reconciliation-chart"
        exportId="reconciliation"
        state={
          rec.isPending
            ? "loading"
            : data && data.utility.subtotal === 0 && view?.carried === 0
              ? "empty"
              : "ready"
        }
        emptyText="No energy and no charges this month."
        points={view?.slices.length ?? 0}
        option={option}
        height={220}
        csv={csv}
        csvFileName={csvFileName("reconciliation", String(siteId), month)}
      />
      {data && view && (
        <Card size="small" style={{ marginTop: 16 }}>
          <Table<Slice>
            data-testid="reconciliation-table"
            size="small"
            rowKey="key"
            columns={columns}
            dataSource={view.slices}
            pagination={false}
            onRow={(s) => testId(`reconciliation-row-${s.key}`) as HTMLAttributes<HTMLElement>}
            summary={() => (
              <Table.Summary>
                {view.markups > 0 && (
                  <Table.Summary.Row>
                    <Table.Summary.Cell index={0}>
                      Less tenants&apos; mark-ups and fees
                    </Table.Summary.Cell>
                    <Table.Summary.Cell index={1} />
                    <Table.Summary.Cell index={2} align="right">
                      −{formatAmount(view.markups)}
                    </Table.Summary.Cell>
                  </Table.Summary.Row>
                )}
                <Table.Summary.Row>
                  <Table.Summary.Cell index={0}>
                    <strong>Adds up to</strong>{" "}
                    {view.addsUp ? (
                      <Tag color="green" data-testid="reconciliation-check">
                        the utility bill, to the cent
                      </Tag>
                    ) : (
                      <Tag color="red" data-testid="reconciliation-check">
                        not the utility bill
                      </Tag>
                    )}
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={1} align="right">
                    {formatNumber(view.energyKwh, 1)}
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={2} align="right">
                    <strong data-testid="reconciliation-sum">
                      {formatAmount(view.carried - view.markups)}
                    </strong>
                  </Table.Summary.Cell>
                </Table.Summary.Row>
                {data.generation.energy_kwh > 0 && (
                  <Table.Summary.Row data-testid="reconciliation-generation">
                    <Table.Summary.Cell index={0}>
                      On-site generation ({data.generation.meters.map((m) => m.name).join(", ")}
                      ): used on site, not from the utility
                    </Table.Summary.Cell>
                    <Table.Summary.Cell index={1} align="right">
                      −{formatNumber(data.generation.energy_kwh, 1)}
                    </Table.Summary.Cell>
                    <Table.Summary.Cell index={2} align="right">
                      —
                    </Table.Summary.Cell>
                  </Table.Summary.Row>
                )}
                <Table.Summary.Row>
                  <Table.Summary.Cell index={0}>Utility bill (supply points)</Table.Summary.Cell>
                  <Table.Summary.Cell index={1} align="right">
                    {formatNumber(data.utility.energy_kwh, 1)}
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={2} align="right">
                    {formatAmount(data.utility.subtotal)}
                  </Table.Summary.Cell>
                </Table.Summary.Row>
              </Table.Summary>
            )}
          />
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: "8px 0 0" }}>
            Tenants&apos; amounts are what they are billed before VAT (mark-ups and fees included);
            common areas and the unmetered remainder are costed at the bill&apos;s average energy
            price plus their share of the fixed and demand charges, and are the landlord&apos;s.
          </Typography.Paragraph>
        </Card>
      )}
    </div>
  );
}
