import { Card, Skeleton, Tooltip, Typography } from "antd";
import type { ReactNode } from "react";

type KpiCardProps = {
  testId: string;
  label: string;
  icon?: ReactNode;
  value: ReactNode;
  unit?: string;
  footnote?: ReactNode;
  loading?: boolean;
  error?: string | null;
  valueColor?: string;
};

/** One key figure: a label, a big value with its unit, a line of context. */
export function KpiCard({
  testId,
  label,
  icon,
  value,
  unit,
  footnote,
  loading,
  error,
  valueColor,
}: KpiCardProps) {
  return (
    <Card
      size="small"
      data-testid={testId}
      styles={{ body: { padding: "14px 18px" } }}
      style={{ height: "100%" }}
    >
      <Typography.Text
        type="secondary"
        style={{ fontSize: 13, display: "flex", gap: 6, alignItems: "center" }}
      >
        {icon}
        {label}
      </Typography.Text>
      {loading ? (
        <Skeleton.Input active size="small" style={{ marginTop: 10, width: 120 }} />
      ) : (
        <Tooltip title={error ?? undefined}>
          <div
            style={{
              marginTop: 4,
              display: "flex",
              alignItems: "baseline",
              gap: 6,
              flexWrap: "wrap",
            }}
          >
            <span
              data-testid={`${testId}-value`}
              style={{
                fontSize: 26,
                fontWeight: 600,
                lineHeight: 1.25,
                fontVariantNumeric: "tabular-nums",
                color: valueColor,
              }}
            >
              {error ? "—" : value}
            </span>
            {unit && !error && (
              <Typography.Text type="secondary" style={{ fontSize: 14 }}>
                {unit}
              </Typography.Text>
            )}
          </div>
        </Tooltip>
      )}
      <Typography.Text
        type="secondary"
        style={{ fontSize: 12, display: "block", minHeight: 18, marginTop: 2 }}
        ellipsis={{ tooltip: true }}
      >
        {loading ? " " : footnote}
      </Typography.Text>
    </Card>
  );
}
