import { RedoOutlined, ReloadOutlined } from "@ant-design/icons";
import { App, Button, Card, Empty, Flex, Segmented, Table, Tag, Typography } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes } from "react";
import { useState } from "react";
import { Link } from "react-router";
import { errorMessage } from "@/api/errors";
import { formatDateTimeIn } from "@/components/data-display/format";
import { QueryError } from "@/components/resource-page/ResourcePage";
import { testId } from "@/lib/test-id";
import { useDeliveries, useRetryDelivery } from "../api/notifications";
import { alertPath } from "../lib/alerts";
import type { Delivery, DeliveryStatus } from "../types";

const STATUS_COLORS: Record<DeliveryStatus, string> = {
  pending: "blue",
  sent: "green",
  dead: "red",
};

type Filter = DeliveryStatus | "all";

/** The outbox (admin): each e-mail and webhook delivery; a dead one can be sent again. */
export function DeliveriesCard() {
  const { message } = App.useApp();
  const [filter, setFilter] = useState<Filter>("all");
  const deliveries = useDeliveries(filter === "all" ? null : filter);
  const retry = useRetryDelivery();

  const columns: TableColumnsType<Delivery> = [
    {
      key: "status",
      title: "Status",
      render: (_, d) => (
        <Tag color={STATUS_COLORS[d.status]} data-testid={`delivery-status-${d.id}`}>
          {d.status}
        </Tag>
      ),
    },
    {
      key: "channel",
      title: "Channel",
      render: (_, d) => (d.channel === "email" ? "E-mail" : "Webhook"),
    },
    {
      key: "recipient",
      title: "Recipient",
      render: (_, d) => (
        <Typography.Text style={{ wordBreak: "break-all" }}>{d.recipient}</Typography.Text>
      ),
    },
    {
      key: "alert",
      title: "Alert",
      render: (_, d) =>
        d.alert_id ? (
          <Link to={alertPath(d.alert_id)}>
            #{d.alert_id} {d.event}
          </Link>
        ) : (
          d.event
        ),
    },
    { key: "attempts", title: "Attempts", align: "right", dataIndex: "attempts" },
    {
      key: "when",
      title: "When",
      render: (_, d) =>
        d.sent_at
          ? `sent ${formatDateTimeIn(d.sent_at)}`
          : d.status === "pending"
            ? `next try ${formatDateTimeIn(d.next_attempt_at)}`
            : `queued ${formatDateTimeIn(d.created_at)}`,
    },
    {
      key: "error",
      title: "Last error",
      render: (_, d) =>
        d.last_error ? (
          <Typography.Text
            type="danger"
            style={{ maxWidth: 280 }}
            ellipsis={{ tooltip: d.last_error }}
          >
            {d.last_error}
          </Typography.Text>
        ) : (
          "—"
        ),
    },
    {
      key: "actions",
      title: "",
      align: "right",
      render: (_, d) =>
        d.status === "dead" ? (
          <Button
            size="small"
            icon={<RedoOutlined />}
            data-testid={`retry-${d.id}`}
            loading={retry.isPending && retry.variables === d.id}
            onClick={() =>
              retry.mutate(d.id, {
                onSuccess: () => void message.success("Queued to be sent again"),
                onError: (e) => void message.error(errorMessage(e)),
              })
            }
          >
            Send again
          </Button>
        ) : null,
    },
  ];

  return (
    <Card
      size="small"
      title="Deliveries"
      data-testid="deliveries-card"
      extra={
        <Flex gap={8} align="center">
          <Segmented<Filter>
            size="small"
            data-testid="deliveries-status"
            value={filter}
            onChange={setFilter}
            options={[
              { value: "all", label: "All" },
              { value: "pending", label: <span data-testid="deliveries-pending">Pending</span> },
              { value: "sent", label: <span data-testid="deliveries-sent">Sent</span> },
              { value: "dead", label: <span data-testid="deliveries-dead">Dead</span> },
            ]}
          />
          <Button
            size="small"
            icon={<ReloadOutlined />}
            aria-label="Refresh"
            data-testid="deliveries-refresh"
            onClick={() => void deliveries.refetch()}
          />
        </Flex>
      }
    >
      <QueryError query={deliveries} title="The deliveries could not be loaded" />
      <Table<Delivery>
        data-testid="deliveries-table"
        size="small"
        rowKey="id"
        loading={deliveries.isPending}
        columns={columns}
        dataSource={deliveries.data ?? []}
        pagination={{ pageSize: 25, hideOnSinglePage: true }}
        scroll={{ x: "max-content" }}
        onRow={(d) => testId(`delivery-row-${d.id}`) as HTMLAttributes<HTMLElement>}
        locale={{
          emptyText: (
            <Empty
              data-testid="deliveries-empty"
              image={Empty.PRESENTED_IMAGE_SIMPLE}
              description={
                filter === "dead"
                  ? "No dead deliveries: every notification got through."
                  : "No deliveries yet."
              }
            />
          ),
        }}
      />
    </Card>
  );
}
