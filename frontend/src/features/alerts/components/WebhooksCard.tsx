import {
  DeleteOutlined,
  EditOutlined,
  KeyOutlined,
  PlusOutlined,
  SendOutlined,
} from "@ant-design/icons";
import { App, Button, Empty, Flex, Popconfirm, Space, Table, Tag, Tooltip, Typography } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes } from "react";
import { useState } from "react";
import { errorMessage } from "@/api/errors";
import { testId } from "@/lib/test-id";
import { useDeleteWebhook, useRotateWebhookSecret, useWebhookTest } from "../api/notifications";
import { SEVERITY_COLORS, SEVERITY_LABELS } from "../lib/severity";
import type { ChannelTestResult, Webhook, WebhookCreated } from "../types";
import { TestResultAlert } from "./TestResultAlert";
import { WebhookFormModal } from "./WebhookFormModal";
import { WebhookSecretModal } from "./WebhookSecretModal";

/** The webhooks (admin): add (the secret shown once), edit, rotate the secret, test, delete. */
export function WebhooksCard({ webhooks }: { webhooks: Webhook[] }) {
  const { message } = App.useApp();
  const remove = useDeleteWebhook();
  const rotate = useRotateWebhookSecret();
  const test = useWebhookTest();
  const [editing, setEditing] = useState<Webhook | "new" | null>(null);
  const [secret, setSecret] = useState<{
    webhook: WebhookCreated;
    reason: "created" | "rotated";
  } | null>(null);
  const [tested, setTested] = useState<{ webhook: Webhook; result: ChannelTestResult } | null>(
    null,
  );

  const columns: TableColumnsType<Webhook> = [
    { key: "name", title: "Name", dataIndex: "name" },
    {
      key: "url",
      title: "URL",
      render: (_, w) => (
        <Typography.Text code style={{ wordBreak: "break-all" }}>
          {w.url}
        </Typography.Text>
      ),
    },
    {
      key: "severities",
      title: "Severities",
      render: (_, w) =>
        w.severities.map((s) => (
          <Tag key={s} color={SEVERITY_COLORS[s]}>
            {SEVERITY_LABELS[s]}
          </Tag>
        )),
    },
    {
      key: "enabled",
      title: "Enabled",
      render: (_, w) =>
        w.enabled ? <Tag color="green">Enabled</Tag> : <Tag color="default">Disabled</Tag>,
    },
    {
      key: "actions",
      title: "",
      align: "right",
      render: (_, w) => (
        <Space>
          <Tooltip title="Send a test delivery">
            <Button
              size="small"
              icon={<SendOutlined />}
              aria-label="Test"
              data-testid={`webhook-test-${w.id}`}
              loading={test.isPending && test.variables === w.id}
              onClick={() =>
                test.mutate(w.id, {
                  onSuccess: (result) => setTested({ webhook: w, result }),
                  onError: (e) => void message.error(errorMessage(e)),
                })
              }
            />
          </Tooltip>
          <Button
            size="small"
            icon={<EditOutlined />}
            aria-label="Edit"
            data-testid={`webhook-edit-${w.id}`}
            onClick={() => setEditing(w)}
          />
          <Popconfirm
            title={`New secret for ${w.name}?`}
            description="The old secret stops working at once: the receiver needs the new one."
            okText="Rotate"
            okButtonProps={{ ...testId(`webhook-rotate-confirm-${w.id}`) }}
            onConfirm={() =>
              rotate.mutateAsync(w.id).then(
                (created) => setSecret({ webhook: created, reason: "rotated" }),
                (e: unknown) => void message.error(errorMessage(e)),
              )
            }
          >
            <Tooltip title="Rotate the secret">
              <Button
                size="small"
                icon={<KeyOutlined />}
                aria-label="Rotate the secret"
                data-testid={`webhook-rotate-${w.id}`}
              />
            </Tooltip>
          </Popconfirm>
          <Popconfirm
            title={`Delete ${w.name}?`}
            description="It gets no more notifications."
            okText="Delete"
            okButtonProps={{ danger: true, ...testId(`webhook-delete-confirm-${w.id}`) }}
            onConfirm={() =>
              remove.mutateAsync(w.id).then(
                () => void message.success(`${w.name} deleted`),
                (e: unknown) => void message.error(errorMessage(e)),
              )
            }
          >
            <Button
              size="small"
              danger
              icon={<DeleteOutlined />}
              aria-label="Delete"
              data-testid={`webhook-delete-${w.id}`}
            />
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <>
      <Flex justify="space-between" align="center" style={{ marginBottom: 12 }}>
        <Typography.Text type="secondary">
          Each webhook gets a signed POST for every alert of its severities.
        </Typography.Text>
        <Button
          type="primary"
          size="small"
          icon={<PlusOutlined />}
          data-testid="webhook-create"
          onClick={() => setEditing("new")}
        >
          Add a webhook
        </Button>
      </Flex>
      {tested && (
        <div data-testid="webhook-test-for" data-webhook={tested.webhook.id}>
          <Typography.Text strong>Test of {tested.webhook.name}</Typography.Text>
          <TestResultAlert result={tested.result} testId="webhook-test-result" />
        </div>
      )}
      <Table<Webhook>
        data-testid="webhooks-table"
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={webhooks}
        pagination={false}
        scroll={{ x: "max-content" }}
        onRow={(w) => testId(`webhook-row-${w.id}`) as HTMLAttributes<HTMLElement>}
        locale={{
          emptyText: (
            <Empty
              data-testid="webhooks-empty"
              image={Empty.PRESENTED_IMAGE_SIMPLE}
              description="No webhooks: add one to send alerts to a chat or an on-call tool."
            />
          ),
        }}
      />
      {editing && (
        <WebhookFormModal
          webhook={editing === "new" ? undefined : editing}
          onClose={() => setEditing(null)}
          onCreated={(created) => {
            setEditing(null);
            setSecret({ webhook: created, reason: "created" });
          }}
        />
      )}
      {secret && (
        <WebhookSecretModal
          webhook={secret.webhook}
          reason={secret.reason}
          onClose={() => setSecret(null)}
        />
      )}
    </>
  );
}
