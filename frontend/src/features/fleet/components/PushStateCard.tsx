import { Card, Empty, Table, Tag, Tooltip, Typography } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes } from "react";
import { formatDateTimeIn, formatNumber } from "@/components/data-display/format";
import { useNow } from "@/components/data-display/use-now";
import { QueryError } from "@/components/resource-page/ResourcePage";
import { testId } from "@/lib/test-id";
import { usePushState } from "../api/push-state";
import type { PushState } from "../types";
import { FreshnessTag } from "./FreshnessTag";

const dash = <Typography.Text type="secondary">—</Typography.Text>;

/** Client mode: how the push of each resource to the admin stack stands. */
export function PushStateCard() {
  const state = usePushState();
  const now = useNow();

  const columns: TableColumnsType<PushState> = [
    { key: "resource", title: "Resource", dataIndex: "resource" },
    {
      key: "last_success_at",
      title: "Last success",
      dataIndex: "last_success_at",
      render: (at: string | null) => <FreshnessTag at={at} now={now} testId="push-last-success" />,
    },
    {
      key: "rows_pushed",
      title: "Rows pushed",
      dataIndex: "rows_pushed",
      align: "right",
      render: (n: number) => formatNumber(n),
    },
    {
      key: "consecutive_failures",
      title: "Failures",
      dataIndex: "consecutive_failures",
      align: "right",
      render: (n: number) => (n > 0 ? <Tag color="red">{n}</Tag> : <Tag color="green">0</Tag>),
    },
    {
      key: "next_attempt_at",
      title: "Next attempt",
      dataIndex: "next_attempt_at",
      render: (at: string | null) => (at ? formatDateTimeIn(at) : dash),
    },
    {
      key: "last_error",
      title: "Last error",
      dataIndex: "last_error",
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
    <Card title="Fleet push" data-testid="push-state" styles={{ body: { padding: 0 } }}>
      <QueryError query={state} title="The push state could not be loaded" style={{ margin: 16 }} />
      <Table<PushState>
        rowKey="resource"
        size="small"
        columns={columns}
        dataSource={state.data}
        loading={state.isPending && !state.isError}
        pagination={false}
        scroll={{ x: "max-content" }}
        onRow={(row) => testId(`push-state-${row.resource}`) as HTMLAttributes<HTMLElement>}
        locale={{
          emptyText: (
            <Empty
              image={Empty.PRESENTED_IMAGE_SIMPLE}
              description={
                <>
                  Nothing pushed yet. This stack pushes when{" "}
                  <Typography.Text code>PORTAL_FLEET__ENABLED</Typography.Text>,{" "}
                  <Typography.Text code>PORTAL_FLEET__ADMIN_URL</Typography.Text> and{" "}
                  <Typography.Text code>PORTAL_FLEET__CUSTOMER_TOKEN</Typography.Text> are set.
                </>
              }
            />
          ),
        }}
      />
    </Card>
  );
}
