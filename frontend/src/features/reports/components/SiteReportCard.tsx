import { WarningOutlined } from "@ant-design/icons";
import { Alert, Card, Col, DatePicker, Empty, Flex, Row, Select, Skeleton, Typography } from "antd";
import dayjs from "dayjs";
import type { ReactNode } from "react";
import { DownloadButtons } from "@/components/downloads/DownloadButtons";
import { LoadFailed } from "@/components/resource-page/ResourcePage";
import { formatAmount } from "@/features/billing";
import type { Site } from "@/features/sites";
import { siteReportPdfUrl, useSiteReport } from "../api/reports";
import { currentMonth } from "../lib/periods";
import {
  completenessDetail,
  formatChange,
  formatCompleteness,
  formatGap,
  formatKwh,
  formatPowerFactor,
  formatSiteTime,
  hasGaps,
} from "../lib/report";
import type { SiteReport } from "../types";

type Props = {
  sites: Site[] | undefined;
  sitesLoading: boolean;
  site: Site | undefined;
  month: string;
  onSite: (siteId: number) => void;
  onMonth: (month: string) => void;
};

function Figure({
  testId,
  label,
  value,
  unit,
  detail,
}: {
  testId: string;
  label: string;
  value: ReactNode;
  unit?: ReactNode;
  detail?: ReactNode;
}) {
  return (
    <Card size="small" style={{ height: "100%" }} data-testid={testId}>
      <Typography.Text type="secondary" style={{ fontSize: 13 }}>
        {label}
      </Typography.Text>
      <Flex align="baseline" gap={6} style={{ marginTop: 2 }}>
        <span
          data-testid={`${testId}-value`}
          style={{ fontSize: 24, fontWeight: 600, fontVariantNumeric: "tabular-nums" }}
        >
          {value}
        </span>
        {unit && <Typography.Text type="secondary">{unit}</Typography.Text>}
      </Flex>
      {detail && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid={`${testId}-detail`}>
          {detail}
        </Typography.Text>
      )}
    </Card>
  );
}

/** The report's key figures, and a warning listing the gaps in the readings. */
function ReportFigures({ report }: { report: SiteReport }) {
  const tz = report.timezone;
  const previous = report.comparisons[0];
  const { total, currency } = report;
  return (
    <>
      {hasGaps(report) && (
        <Alert
          data-testid="report-gaps"
          type="warning"
          showIcon
          icon={<WarningOutlined />}
          style={{ marginBottom: 16 }}
          title={`Readings are missing: ${formatCompleteness(report.completeness)} complete`}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 20 }}>
              {report.completeness.gaps.map((gap, i) => (
                <li key={`${gap.device_id}-${gap.start}`} data-testid={`report-gap-${i}`}>
                  {formatGap(gap, tz)}
                </li>
              ))}
            </ul>
          }
        />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} sm={12} lg={8}>
          <Figure
            testId="report-energy"
            label="Energy imported"
            value={formatKwh(report.energy_import_kwh)}
            unit="kWh"
            detail={
              <>
                {previous && (
                  <span data-testid="report-energy-change">
                    {formatChange(previous.energy_change_percent)} on {previous.label.toLowerCase()}
                  </span>
                )}
                {report.energy_export_kwh > 0 && (
                  <span> · {formatKwh(report.energy_export_kwh)} kWh exported</span>
                )}
              </>
            }
          />
        </Col>
        <Col xs={24} sm={12} lg={8}>
          <Figure
            testId="report-total"
            label="Total (incl. VAT)"
            value={total !== null ? formatAmount(total) : "—"}
            unit={total !== null ? currency : undefined}
            detail={
              total !== null ? (
                `${formatAmount(report.subtotal ?? 0)} + VAT ${formatAmount(report.vat ?? 0)}`
              ) : (
                <span data-testid="report-no-cost">
                  {report.no_cost_reason ?? "No cost without a tariff"}
                </span>
              )
            }
          />
        </Col>
        <Col xs={24} sm={12} lg={8}>
          <Figure
            testId="report-peak"
            label="Peak demand (30 minutes)"
            value={report.peak_demand ? formatKwh(report.peak_demand.value) : "—"}
            unit={report.peak_demand?.unit}
            detail={
              report.peak_demand
                ? `from ${formatSiteTime(report.peak_demand.at, tz)}`
                : "no readings this month"
            }
          />
        </Col>
        <Col xs={24} sm={12} lg={8}>
          <Figure
            testId="report-power-factor"
            label="Power factor (average)"
            value={formatPowerFactor(report.power_factor.average)}
            detail={`lowest quarter-hour ${formatPowerFactor(report.power_factor.minimum)}`}
          />
        </Col>
        <Col xs={24} sm={12} lg={8}>
          <Figure
            testId="report-completeness"
            label="Data completeness"
            value={formatCompleteness(report.completeness)}
            detail={completenessDetail(report.completeness)}
          />
        </Col>
        <Col xs={24} sm={12} lg={8}>
          <Figure
            testId="report-alerts"
            label="Alerts fired"
            value={report.alerts.length}
            detail={
              report.alerts.length
                ? report.alerts
                    .slice(0, 3)
                    .map((a) => a.rule_name)
                    .join(", ")
                : "none this month"
            }
          />
        </Col>
      </Row>
    </>
  );
}

/** A site and a month → the monthly report's key figures, and its PDF. */
export function SiteReportCard({ sites, sitesLoading, site, month, onSite, onMonth }: Props) {
  const report = useSiteReport(site?.id, month);

  let body: ReactNode;
  if (sitesLoading) body = <Skeleton active paragraph={{ rows: 4 }} />;
  else if (!site)
    body = (
      <Empty
        data-testid="report-no-site"
        image={Empty.PRESENTED_IMAGE_SIMPLE}
        description={
          sites?.length
            ? "This site does not exist (any more). Pick another one."
            : "No sites yet: a report needs a site with meters."
        }
      />
    );
  else if (report.isError)
    body = (
      <LoadFailed
        error={report.error}
        title="The report could not be made"
        testId="report-error"
        retry={() => void report.refetch()}
      />
    );
  else if (!report.data)
    body = <Skeleton active paragraph={{ rows: 4 }} data-testid="report-loading" />;
  else body = <ReportFigures report={report.data} />;

  return (
    <Card
      size="small"
      title="Site report"
      data-testid="site-report-card"
      style={{ marginBottom: 16 }}
      extra={
        <DownloadButtons
          size="small"
          what="the site report"
          disabled={!site || !report.data}
          downloads={
            site
              ? [{ format: "pdf", href: siteReportPdfUrl(site.id, month), testId: "report-pdf" }]
              : []
          }
        />
      }
    >
      <Flex wrap gap={12} align="center" style={{ marginBottom: 16 }}>
        <Select
          data-testid="report-site"
          aria-label="Site"
          style={{ minWidth: 240 }}
          placeholder="Site"
          loading={sitesLoading}
          value={site?.id}
          onChange={onSite}
          showSearch={{ optionFilterProp: "label" }}
          options={(sites ?? []).map((s) => ({ value: s.id, label: s.name }))}
        />
        <DatePicker
          data-testid="report-month"
          aria-label="Month"
          picker="month"
          allowClear={false}
          value={dayjs(`${month}-01`)}
          format="MMMM YYYY"
          disabledDate={(d) => d.format("YYYY-MM") > currentMonth()}
          onChange={(d) => d && onMonth(d.format("YYYY-MM"))}
        />
        {month === currentMonth() && (
          <Typography.Text type="secondary" data-testid="report-month-to-date">
            This month so far
          </Typography.Text>
        )}
      </Flex>
      {body}
    </Card>
  );
}
