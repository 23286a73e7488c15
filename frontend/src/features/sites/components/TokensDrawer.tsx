import { KeyOutlined, PlusOutlined } from "@ant-design/icons";
import { App, Button, Drawer, Flex, Popconfirm, Table, Tag, Typography } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes } from "react";
import { useState } from "react";
import { errorMessage } from "@/api/errors";
import { formatDateTimeIn } from "@/components/data-display/format";
import { QueryError } from "@/components/resource-page/ResourcePage";
import { testId } from "@/lib/test-id";
import { useDeviceTokens, useRevokeToken } from "../api/devices";
import type { Device, DeviceToken } from "../types";
import { IssueTokenModal } from "./IssueTokenModal";
import { useReturnFocus } from "@/components/a11y/return-focus";

type TokensDrawerProps = { device: Device; timeZone: string; onClose: () => void };

/** A device's ingest tokens (admin): list, issue, revoke. */
export function TokensDrawer({ device, timeZone, onClose }: TokensDrawerProps) {
  useReturnFocus();
  const tokens = useDeviceTokens(device.id);
  const revoke = useRevokeToken(device.id);
  const { message } = App.useApp();
  const [issuing, setIssuing] = useState(false);
  const when = (iso: string | null) => formatDateTimeIn(iso, timeZone);

  const columns: TableColumnsType<DeviceToken> = [
    {
      key: "prefix",
      title: "Token",
      dataIndex: "prefix",
      render: (prefix: string) => <Typography.Text code>{prefix}…</Typography.Text>,
    },
    {
      key: "label",
      title: "Label",
      dataIndex: "label",
      render: (label: string | null) =>
        label || <Typography.Text type="secondary">—</Typography.Text>,
    },
    { key: "created", title: "Created", dataIndex: "created_at", render: when },
    { key: "used", title: "Last used", dataIndex: "last_used_at", render: when },
    {
      key: "status",
      title: "Status",
      render: (_, token) =>
        token.revoked_at ? (
          <Tag data-testid="token-status-revoked">Revoked {when(token.revoked_at)}</Tag>
        ) : (
          <Tag color="green" data-testid="token-status-active">
            Active
          </Tag>
        ),
    },
    {
      key: "actions",
      title: "",
      align: "right",
      render: (_, token) =>
        token.revoked_at ? null : (
          <Popconfirm
            title="Revoke this token?"
            description="Meters using it can no longer send readings."
            okText="Revoke"
            okButtonProps={{ danger: true, "data-testid": "token-revoke-confirm" }}
            onConfirm={() =>
              revoke.mutateAsync(token.id).then(
                () => void message.success(`Revoked ${token.prefix}…`),
                (error: unknown) => void message.error(errorMessage(error)),
              )
            }
          >
            <Button size="small" danger data-testid="token-revoke">
              Revoke
            </Button>
          </Popconfirm>
        ),
    },
  ];

  return (
    <Drawer
      open
      size={760}
      title={
        <Flex gap={8} align="center">
          <KeyOutlined />
          Ingest tokens — {device.name}
        </Flex>
      }
      onClose={onClose}
      data-testid="tokens-drawer"
      extra={
        <Button
          type="primary"
          icon={<PlusOutlined />}
          data-testid="issue-token"
          onClick={() => setIssuing(true)}
        >
          Issue token
        </Button>
      }
    >
      <QueryError
        query={tokens}
        title="The tokens could not be loaded"
        style={{ marginBottom: 16 }}
      />
      <Table<DeviceToken>
        data-testid="tokens-table"
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={tokens.data}
        loading={tokens.isPending && !tokens.isError}
        pagination={false}
        scroll={{ x: "max-content" }}
        locale={{ emptyText: "No tokens yet: issue one so the meter can send readings." }}
        onRow={(token) => testId(`token-row-${token.prefix}`) as HTMLAttributes<HTMLElement>}
      />
      {issuing && <IssueTokenModal device={device} onClose={() => setIssuing(false)} />}
    </Drawer>
  );
}
