import { DownloadOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Empty, Flex, Skeleton, Tooltip, Typography } from "antd";
import { lazy, Suspense } from "react";
import type { ReactNode } from "react";
import { errorMessage } from "@/api/errors";
import { buildCsv, downloadCsv } from "./csv";
import type { CsvTable } from "./csv";
import type { ChartOption } from "./echarts";

// ECharts is big: load it (and the wrapper) only when a chart is first shown.
const EChart = lazy(() => import("./EChart"));

export type ChartState = "loading" | "error" | "empty" | "ready";

export type ChartCardProps = {
  title: ReactNode;
  /** A line under the title (units, what is shown). */
  subtitle?: ReactNode;
  /** data-testid of the chart container, e.g. "power-chart". */
  testId: string;
  /** The export button is `export-csv-<exportId>`. */
  exportId: string;
  state: ChartState;
  error?: unknown;
  emptyText?: ReactNode;
  /** How many data points (= CSV rows) the chart shows: `data-points` for tests. */
  points: number;
  option: ChartOption | null;
  height: number;
  /** Exactly the chart's data, for the CSV export. */
  csv: CsvTable | null;
  csvFileName: string;
  /** More controls in the card's header, left of the export button. */
  extra?: ReactNode;
};

function ChartSkeleton({ height }: { height: number }) {
  return (
    <div style={{ height, display: "flex", alignItems: "center" }}>
      <Skeleton active paragraph={{ rows: 5 }} title={false} />
    </div>
  );
}

/** A card around one chart: title, CSV export, and loading / error / empty states. */
export function ChartCard({
  title,
  subtitle,
  testId,
  exportId,
  state,
  error,
  emptyText,
  points,
  option,
  height,
  csv,
  csvFileName,
  extra,
}: ChartCardProps) {
  let body: ReactNode;
  if (state === "loading") {
    body = <ChartSkeleton height={height} />;
  } else if (state === "error") {
    body = (
      <Flex style={{ height }} align="center" justify="center">
        <Alert
          type="error"
          showIcon
          title="The chart data could not be loaded"
          description={errorMessage(error)}
        />
      </Flex>
    );
  } else if (state === "empty" || !option) {
    body = (
      <Flex style={{ height }} align="center" justify="center">
        <Empty
          image={Empty.PRESENTED_IMAGE_SIMPLE}
          description={emptyText ?? "No data for this period"}
        />
      </Flex>
    );
  } else {
    body = (
      <Suspense fallback={<ChartSkeleton height={height} />}>
        <EChart option={option} height={height} />
      </Suspense>
    );
  }

  const canExport = state === "ready" && csv !== null && csv.rows.length > 0;
  return (
    <Card
      title={
        <div style={{ padding: "4px 0" }}>
          <div>{title}</div>
          {subtitle && (
            <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: "normal" }}>
              {subtitle}
            </Typography.Text>
          )}
        </div>
      }
      extra={
        <Flex gap={8} align="center">
          {extra}
          <Tooltip title="Download the data of this chart as CSV">
            <Button
              size="small"
              icon={<DownloadOutlined />}
              data-testid={`export-csv-${exportId}`}
              disabled={!canExport}
              onClick={() => csv && downloadCsv(csvFileName, buildCsv(csv))}
            >
              CSV
            </Button>
          </Tooltip>
        </Flex>
      }
      styles={{ body: { padding: "12px 16px 16px" } }}
    >
      <div
        data-testid={testId}
        data-state={state}
        {...(state === "loading" ? {} : { "data-points": state === "ready" ? points : 0 })}
      >
        {body}
      </div>
    </Card>
  );
}
