import {
  CheckCircleOutlined,
  CloseCircleOutlined,
  FileExcelOutlined,
  FilePdfOutlined,
  FileOutlined,
  InfoCircleOutlined,
  ReloadOutlined,
  SyncOutlined,
} from "@ant-design/icons";
import { Button, Card, Empty, Flex, Space, Table, Tag, Tooltip, Typography } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes, ReactNode } from "react";
import { useMemo } from "react";
import { formatDateTimeIn } from "@/components/data-display/format";
import { QueryError } from "@/components/resource-page/ResourcePage";
import type { Site } from "@/features/sites";
import { testId } from "@/lib/test-id";
import { runFileUrl, useReportRuns } from "../api/runs";
import { formatPeriodLabel, formatSpan } from "../lib/periods";
import { formatBytes, runStatusSummary, triggerLabel } from "../lib/runs";
import type { RunState } from "../lib/runs";
import type { DeliveryStatus, Run, RunDelivery, RunFile } from "../types";

const STATUS_COLORS: Record<DeliveryStatus, string> = {
  pending: "processing",
  sent: "success",
  dead: "error",
};

const STATUS_ICONS: Record<DeliveryStatus, ReactNode> = {
  pending: <SyncOutlined spin />,
  sent: <CheckCircleOutlined />,
  dead: <CloseCircleOutlined />,
};

/** A delivery's time: "12/3/26, 3:29 PM" (the user's locale, the site's zone). */
const SHORT: Intl.DateTimeFormatOptions = { dateStyle: "short", timeStyle: "short" };

const RUN_STATE_COLORS: Record<RunState, string> = {
  pending: "processing",
  sent: "success",
  partial: "warning",
  dead: "error",
  none: "default",
};

function fileIcon(file: RunFile): ReactNode {
  if (file.media_type === "application/pdf") return <FilePdfOutlined />;
  if (file.filename.endsWith(".xlsx")) return <FileExcelOutlined />;
  return <FileOutlined />;
}

/** One recipient: pending, sent (with when), dead (the last error in a tooltip). */
function DeliveryTag({
  run,
  delivery,
  index,
  timeZone,
}: {
  run: Run;
  delivery: RunDelivery;
  index: number;
  timeZone?: string;
}) {
  const when =
    delivery.status === "sent" && delivery.sent_at
      ? ` ${formatDateTimeIn(delivery.sent_at, timeZone, SHORT)}`
      : "";
  const tag = (
    <Tag
      color={STATUS_COLORS[delivery.status]}
      icon={STATUS_ICONS[delivery.status]}
      data-testid={`run-delivery-${run.id}-${index}`}
      data-status={delivery.status}
      style={{ marginInlineEnd: 0, whiteSpace: "normal", maxWidth: 240 }}
    >
      {delivery.recipient}: {delivery.status}
      {when}
    </Tag>
  );
  if (delivery.status === "dead")
    return (
      <Tooltip
        title={`${delivery.attempts} attempts; last error: ${delivery.last_error ?? "unknown"}`}
      >
        {tag}
      </Tooltip>
    );
  if (delivery.status === "pending" && delivery.attempts > 0)
    return (
      <Tooltip
        title={`${delivery.attempts} attempts so far${
          delivery.last_error ? `; last error: ${delivery.last_error}` : ""
        }`}
      >
        {tag}
      </Tooltip>
    );
  return tag;
}

/** What was sent, newest first: each run's documents and how its mail went (site time). */
export function RunsCard({ sites }: { sites: Site[] }) {
  const runs = useReportRuns();
  const zones = useMemo(() => new Map(sites.map((s) => [s.id, s.timezone])), [sites]);

  const columns: TableColumnsType<Run> = [
    {
      key: "period",
      title: "Period",
      render: (_, r) => (
        <div data-testid={`run-period-${r.id}`}>
          <div>{formatPeriodLabel(r.label)}</div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {formatSpan(r.start, r.end)}
          </Typography.Text>
        </div>
      ),
    },
    {
      key: "schedule",
      title: "Schedule",
      render: (_, r) => (
        <div>
          <div data-testid={`run-schedule-${r.id}`}>
            {r.schedule_name ?? <Typography.Text type="secondary">(deleted)</Typography.Text>}
            <Typography.Text type="secondary"> · {r.site_name}</Typography.Text>
          </div>
          <Typography.Text
            type="secondary"
            style={{ fontSize: 12 }}
            data-testid={`run-trigger-${r.id}`}
          >
            {triggerLabel(r)}, {formatDateTimeIn(r.created_at, zones.get(r.site_id))}
          </Typography.Text>
        </div>
      ),
    },
    {
      key: "files",
      title: "Documents",
      render: (_, r) => (
        <Flex vertical gap={2} style={{ maxWidth: 300 }} data-testid={`run-files-${r.id}`}>
          {r.files.map((f) => (
            <a
              key={f.id}
              href={runFileUrl(r.id, f.id)}
              download
              data-testid={`run-file-${r.id}-${f.id}`}
              title={`Download ${f.filename} (${formatBytes(f.size_bytes)})`}
              style={{ display: "inline-block", maxWidth: 280, overflowWrap: "anywhere" }}
            >
              {fileIcon(f)} {f.filename}
            </a>
          ))}
          {r.notes.map((note) => (
            <Typography.Text
              key={note}
              type="warning"
              style={{ fontSize: 12 }}
              data-testid={`run-note-${r.id}`}
            >
              <InfoCircleOutlined /> {note}
            </Typography.Text>
          ))}
          {r.files.length === 0 && r.notes.length === 0 && "—"}
        </Flex>
      ),
    },
    {
      key: "deliveries",
      title: "Mail",
      render: (_, r) => {
        const summary = runStatusSummary(r);
        return (
          <Flex vertical gap={4} align="flex-start">
            <Tag
              color={RUN_STATE_COLORS[summary.state]}
              data-testid={`run-status-${r.id}`}
              data-state={summary.state}
            >
              {summary.label}
            </Tag>
            <Space size={[4, 4]} wrap>
              {r.deliveries.map((d, i) => (
                <DeliveryTag
                  key={d.recipient}
                  run={r}
                  delivery={d}
                  index={i}
                  timeZone={zones.get(r.site_id)}
                />
              ))}
            </Space>
          </Flex>
        );
      },
    },
  ];

  return (
    <Card
      size="small"
      title="Sent"
      data-testid="runs-card"
      extra={
        <Button
          size="small"
          icon={<ReloadOutlined />}
          aria-label="Refresh"
          data-testid="runs-refresh"
          loading={runs.isFetching && !runs.isPending}
          onClick={() => void runs.refetch()}
        />
      }
    >
      <QueryError query={runs} title="What was sent could not be loaded" testId="runs-error" />
      <Table<Run>
        data-testid="runs-table"
        size="small"
        rowKey="id"
        loading={runs.isPending}
        columns={columns}
        dataSource={runs.data ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: "max-content" }}
        onRow={(r) => testId(`run-row-${r.id}`) as HTMLAttributes<HTMLElement>}
        locale={{
          emptyText: (
            <Empty
              data-testid="runs-empty"
              image={Empty.PRESENTED_IMAGE_SIMPLE}
              description="Nothing sent yet: what the schedules send (and every “Send now”) is listed here, with its documents."
            />
          ),
        }}
      />
    </Card>
  );
}
