import { CheckOutlined } from "@ant-design/icons";
import { Button, Empty, Space, Table, Typography } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes, ReactNode } from "react";
import { useNavigate } from "react-router";
import { formatDateTimeIn } from "@/components/data-display/format";
import { testId } from "@/lib/test-id";
import { alertPath, valueVsThreshold } from "../lib/alerts";
import type { Alert } from "../types";
import { SeverityTag } from "./SeverityTag";

type Props = {
  alerts: Alert[] | undefined;
  loading: boolean;
  /** Site names by id (the alert carries the id). */
  siteNames: Map<number, string>;
  emptyText: ReactNode;
  onAcknowledge: (alert: Alert) => void;
};

/** A time in the user's locale and zone; "—" for none. */
function when(iso: string | null | undefined) {
  return iso ? formatDateTimeIn(iso) : "—";
}

/** Alerts, newest first: click a row for its timeline; firing ones can be acknowledged. */
export function AlertsTable({ alerts, loading, siteNames, emptyText, onAcknowledge }: Props) {
  const navigate = useNavigate();
  const columns: TableColumnsType<Alert> = [
    {
      key: "severity",
      title: "Severity",
      width: 100,
      render: (_, a) => <SeverityTag severity={a.severity} />,
    },
    {
      key: "rule",
      title: "Rule",
      render: (_, a) => <span data-testid="alert-rule">{a.rule_name}</span>,
    },
    {
      key: "subject",
      title: "Subject",
      render: (_, a) => <span data-testid="alert-subject">{a.subject.name}</span>,
    },
    {
      key: "site",
      title: "Site",
      render: (_, a) => (a.site_id === null ? "—" : (siteNames.get(a.site_id) ?? `#${a.site_id}`)),
    },
    {
      key: "value",
      title: "Value",
      render: (_, a) => <span data-testid="alert-value">{valueVsThreshold(a)}</span>,
    },
    {
      key: "message",
      title: "Message",
      render: (_, a) => (
        <Typography.Text data-testid="alert-message" style={{ maxWidth: 320 }}>
          {a.message}
        </Typography.Text>
      ),
    },
    {
      key: "times",
      title: "Times",
      render: (_, a) => (
        <Space orientation="vertical" size={0} style={{ fontSize: 12 }}>
          <span>Started {when(a.started_at)}</span>
          <span data-testid="alert-fired-at">Fired {when(a.fired_at)}</span>
          {a.resolved_at && (
            <span data-testid="alert-resolved-at">Resolved {when(a.resolved_at)}</span>
          )}
        </Space>
      ),
    },
    {
      key: "acknowledged",
      title: "Acknowledged",
      render: (_, a) =>
        a.acknowledged ? (
          <Space orientation="vertical" size={0} data-testid="alert-acknowledged">
            <span>
              {a.acknowledged.by_name}, {when(a.acknowledged.at)}
            </span>
            {a.acknowledged.note && (
              <Typography.Text type="secondary">{a.acknowledged.note}</Typography.Text>
            )}
          </Space>
        ) : (
          "—"
        ),
    },
    {
      key: "actions",
      title: "",
      align: "right",
      render: (_, a) =>
        a.state === "firing" && !a.acknowledged ? (
          <Button
            size="small"
            icon={<CheckOutlined />}
            data-testid={`acknowledge-${a.id}`}
            onClick={(event) => {
              event.stopPropagation();
              onAcknowledge(a);
            }}
          >
            Acknowledge
          </Button>
        ) : null,
    },
  ];

  return (
    <Table<Alert>
      data-testid="alerts-table"
      size="small"
      rowKey="id"
      loading={loading}
      columns={columns}
      dataSource={alerts ?? []}
      pagination={{ pageSize: 50, hideOnSinglePage: true }}
      scroll={{ x: "max-content" }}
      onRow={(a) =>
        ({
          ...testId(`alert-row-${a.id}`),
          style: { cursor: "pointer" },
          onClick: () => void navigate(alertPath(a.id)),
        }) as HTMLAttributes<HTMLElement>
      }
      locale={{
        emptyText: (
          <Empty
            data-testid="alerts-empty"
            image={Empty.PRESENTED_IMAGE_SIMPLE}
            description={emptyText}
          />
        ),
      }}
    />
  );
}
