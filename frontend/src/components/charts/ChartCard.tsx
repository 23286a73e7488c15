import { DownloadOutlined, TableOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Empty, Flex, Skeleton, Table, Tooltip, Typography } from "antd";
import type { TableColumnsType } from "antd";
import { isValidElement, lazy, Suspense, useId, useMemo, useState } from "react";
import type { ReactNode } from "react";
import { errorMessage } from "@/api/errors";
import { buildCsv, downloadCsv } from "./csv";
import type { CsvTable, CsvValue } from "./csv";
import type { ChartOption } from "./echarts";
import { VISUALLY_HIDDEN } from "@/components/a11y/VisuallyHidden";
import { chartSummary } from "./summary";

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
  /** The chart's name in words (its summary, the canvas's label); `title` when it is text. */
  label?: string;
};

/** The text of a title: a string, or the strings inside an element ("Energy", <b>…</b>). */
function textOf(node: ReactNode): string {
  if (typeof node === "string" || typeof node === "number") return String(node);
  if (Array.isArray(node)) return node.map(textOf).join("");
  if (isValidElement<{ children?: ReactNode }>(node)) return textOf(node.props.children);
  return "";
}

type TableRow = { key: number; cells: readonly CsvValue[] };

/** The chart's data (its CSV rows) as a table: the "Show as table" view. */
function ChartTable({ csv, caption, testId }: { csv: CsvTable; caption: string; testId: string }) {
  const columns: TableColumnsType<TableRow> = csv.header.map((name, i) => ({
    key: i,
    title: name,
    align: csv.rows.some((row) => typeof row[i] === "number") ? "right" : "left",
    render: (_: unknown, row: TableRow) => {
      const value = row.cells[i];
      return value === null || value === undefined || value === "" ? "—" : String(value);
    },
  }));
  // A wide table scrolls inside a region the keyboard can reach (and scroll with the arrows).
  return (
    <div role="region" aria-label={caption} tabIndex={0} style={{ overflowX: "auto" }}>
      <Table<TableRow>
        data-testid={testId}
        size="small"
        caption={caption}
        columns={columns}
        dataSource={csv.rows.map((cells, key) => ({ key, cells }))}
        pagination={csv.rows.length > 25 ? { pageSize: 25, showSizeChanger: false } : false}
      />
    </div>
  );
}

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
  label,
}: ChartCardProps) {
  const summaryId = useId();
  const [asTable, setAsTable] = useState(false);
  const name = label ?? (textOf(title) || "Chart");
  const hasData = state === "ready" && csv !== null && csv.rows.length > 0;
  const summary = useMemo(
    () => (hasData && csv ? chartSummary(name, csv) : null),
    [hasData, csv, name],
  );

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
  } else if (asTable && csv) {
    body = (
      <ChartTable csv={csv} caption={`${name}: the chart's data`} testId={`${testId}-table`} />
    );
  } else {
    body = (
      <Suspense fallback={<ChartSkeleton height={height} />}>
        <EChart
          option={option}
          height={height}
          label={`${name} (chart)`}
          describedBy={summary ? summaryId : undefined}
        />
      </Suspense>
    );
  }

  const canExport = hasData;
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
          <Button
            size="small"
            icon={<TableOutlined />}
            data-testid={`show-table-${exportId}`}
            aria-pressed={asTable && hasData}
            disabled={!hasData}
            onClick={() => setAsTable((shown) => !shown)}
          >
            Show as table
          </Button>
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
        {summary && (
          <p id={summaryId} data-testid={`${testId}-summary`} style={VISUALLY_HIDDEN}>
            {summary}
          </p>
        )}
      </div>
    </Card>
  );
}
