import { Table, Tag, Tooltip, Typography } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes, ReactNode } from "react";
import { formatAdaptive, formatDateTimeIn, formatNumber } from "@/components/data-display/format";
import { formatAge } from "@/components/data-display/reading-age";
import { testId } from "@/lib/test-id";
import { statusColor } from "../lib/freshness";
import type { IngestEvent } from "../types";

type IngestEventsTableProps = {
  events: IngestEvent[] | undefined;
  loading: boolean;
  now: number;
  empty: ReactNode;
};

const dash = <Typography.Text type="secondary">—</Typography.Text>;

/** "1.2 MB", "830 B". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${formatAdaptive(bytes / 1024)} KB`;
  return `${formatAdaptive(bytes / (1024 * 1024))} MB`;
}

const SHORT: Intl.DateTimeFormatOptions = { dateStyle: "short", timeStyle: "short" };

/** The latest batches a customer stack pushed (or tried to), newest first. */
export function IngestEventsTable({ events, loading, now, empty }: IngestEventsTableProps) {
  const columns: TableColumnsType<IngestEvent> = [
    {
      key: "received_at",
      title: "Received",
      dataIndex: "received_at",
      render: (at: string) => (
        <Tooltip title={formatDateTimeIn(at)}>
          <span>{formatAge(at, now)}</span>
        </Tooltip>
      ),
    },
    {
      key: "batch_type",
      title: "Batch",
      dataIndex: "batch_type",
      render: (type: string) => (type ? <Tag>{type}</Tag> : dash),
    },
    {
      key: "status_code",
      title: "Status",
      dataIndex: "status_code",
      render: (code: number) => (
        <Tag color={statusColor(code)} data-testid="event-status">
          {code}
        </Tag>
      ),
    },
    {
      key: "accepted",
      title: "Accepted",
      dataIndex: "accepted",
      align: "right",
      render: (n: number) => <span data-testid="event-accepted">{formatNumber(n)}</span>,
    },
    {
      key: "duplicates",
      title: "Duplicates",
      dataIndex: "duplicates",
      align: "right",
      render: (n: number) => formatNumber(n),
    },
    {
      key: "rejected",
      title: "Rejected",
      dataIndex: "rejected",
      align: "right",
      render: (n: number) =>
        n > 0 ? (
          <Typography.Text type="danger">{formatNumber(n)}</Typography.Text>
        ) : (
          formatNumber(n)
        ),
    },
    {
      key: "bytes",
      title: "Size",
      dataIndex: "bytes",
      align: "right",
      render: (n: number) => formatBytes(n),
    },
    {
      key: "span",
      title: "Readings from – to",
      render: (_, event) =>
        event.earliest || event.latest ? (
          <span style={{ whiteSpace: "nowrap" }}>
            {formatDateTimeIn(event.earliest, undefined, SHORT)} –{" "}
            {formatDateTimeIn(event.latest, undefined, SHORT)}
          </span>
        ) : (
          dash
        ),
    },
    {
      key: "error",
      title: "Error",
      dataIndex: "error",
      width: 240,
      render: (error: string | null) =>
        error ? (
          <Tooltip title={error}>
            <Typography.Text type="danger" style={{ display: "block", maxWidth: 240 }} ellipsis>
              {error}
            </Typography.Text>
          </Tooltip>
        ) : (
          dash
        ),
    },
  ];

  return (
    <Table<IngestEvent>
      data-testid="ingest-events-table"
      rowKey="id"
      size="small"
      columns={columns}
      dataSource={events}
      loading={loading}
      pagination={false}
      scroll={{ x: "max-content" }}
      locale={{ emptyText: empty }}
      onRow={(event) => testId(`ingest-event-${event.id}`) as HTMLAttributes<HTMLElement>}
    />
  );
}
