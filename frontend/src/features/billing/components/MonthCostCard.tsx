import { InfoCircleOutlined, WalletOutlined } from "@ant-design/icons";
import { Card, Flex, Skeleton, Tooltip, Typography } from "antd";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { errorMessage } from "@/api/errors";
import { hasRole, useMe } from "@/features/auth";
import { useMonthCost } from "../api/billing";
import { billUnavailable, formatAmount, formatMonth } from "../lib/format";

function Figure({
  testId,
  label,
  value,
  currency,
  hint,
}: {
  testId: string;
  label: string;
  value: string;
  currency: string;
  hint?: ReactNode;
}) {
  return (
    <div data-testid={testId} style={{ minWidth: 150, flex: 1 }}>
      <Typography.Text type="secondary" style={{ fontSize: 13 }}>
        {label}
        {hint && (
          <Tooltip title={hint}>
            <InfoCircleOutlined style={{ marginInlineStart: 6, fontSize: 12 }} />
          </Tooltip>
        )}
      </Typography.Text>
      <Flex align="baseline" gap={6} style={{ marginTop: 2 }}>
        <Typography.Text type="secondary" style={{ fontSize: 14 }}>
          {currency}
        </Typography.Text>
        <span
          data-testid={`${testId}-value`}
          style={{
            fontSize: 26,
            fontWeight: 600,
            lineHeight: 1.25,
            fontVariantNumeric: "tabular-nums",
          }}
        >
          {value}
        </span>
      </Flex>
    </div>
  );
}

/**
 * This month's electricity cost so far and the projected month-end cost
 * (incl. VAT), for the dashboard. A hint instead when the site has no tariff.
 */
export function MonthCostCard({ siteId }: { siteId: number }) {
  const cost = useMonthCost(siteId);
  const { data: me } = useMe();
  const unavailable = billUnavailable(cost.error);

  let body: ReactNode;
  if (cost.isPending && !cost.isError) {
    body = <Skeleton active title={false} paragraph={{ rows: 2 }} />;
  } else if (unavailable?.reason === "no-tariff") {
    body = (
      <Typography.Text type="secondary" data-testid="cost-no-tariff">
        No tariff assigned to this site, so its costs are unknown.{" "}
        {hasRole(me, "admin") ? (
          <Link to="/settings/rates">Set one up in Settings → Rates.</Link>
        ) : (
          "Ask an administrator to assign one."
        )}
      </Typography.Text>
    );
  } else if (cost.isError) {
    body = (
      <Typography.Text type="secondary" data-testid="cost-unavailable">
        {unavailable?.detail || errorMessage(cost.error)}
      </Typography.Text>
    );
  } else {
    const c = cost.data;
    body = (
      <>
        <Flex wrap gap={16}>
          <Figure
            testId="kpi-cost-month"
            label="This month so far"
            value={formatAmount(c.to_date_total)}
            currency={c.currency}
          />
          <Figure
            testId="kpi-cost-projected"
            label="Projected month-end"
            value={formatAmount(c.projected_total)}
            currency={c.currency}
            hint="The energy so far extrapolated to the whole month, plus the month's fixed charges and the demand so far."
          />
        </Flex>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {formatMonth(c.month)}: day {c.days_elapsed.toFixed(1)} of {c.days_in_month} · incl. VAT
        </Typography.Text>
      </>
    );
  }

  return (
    <Card
      size="small"
      data-testid="month-cost-card"
      title={
        <Flex align="center" gap={6}>
          <WalletOutlined />
          Electricity cost
        </Flex>
      }
      extra={<Link to={`/bills?site=${siteId}`}>Bills</Link>}
      style={{ height: "100%" }}
    >
      {body}
    </Card>
  );
}
