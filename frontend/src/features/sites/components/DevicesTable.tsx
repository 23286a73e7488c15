import { Button, Popconfirm, Space, Table, Typography } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes, ReactNode } from "react";
import { ReadingAge } from "@/components/data-display/ReadingAge";
import { testId } from "@/lib/test-id";
import type { Device } from "../types";
import { RoleTag } from "./MeteringTree";

type DevicesTableProps = {
  devices: Device[] | undefined;
  loading: boolean;
  now: number;
  timeZone: string;
  isAdmin: boolean;
  empty: ReactNode;
  onEdit: (device: Device) => void;
  onDelete: (device: Device) => Promise<unknown>;
  onTokens: (device: Device) => void;
  /** More columns (gateway health), shown before the actions. */
  extraColumns?: TableColumnsType<Device>;
};

export function DevicesTable({
  devices,
  loading,
  now,
  timeZone,
  isAdmin,
  empty,
  onEdit,
  onDelete,
  onTokens,
  extraColumns = [],
}: DevicesTableProps) {
  const columns: TableColumnsType<Device> = [
    {
      key: "name",
      title: "Name",
      dataIndex: "name",
      sorter: (a, b) => a.name.localeCompare(b.name),
      render: (name: string, device) => (
        <Space size={6}>
          <Typography.Text strong data-testid="device-name-cell">
            {name}
          </Typography.Text>
          <RoleTag role={device.role} />
        </Space>
      ),
    },
    {
      key: "parent",
      title: "Parent",
      dataIndex: "parent_id",
      render: (parentId: number | null | undefined) =>
        devices?.find((d) => d.id === parentId)?.name ?? (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
    {
      key: "serial",
      title: "Serial",
      dataIndex: "serial",
      render: (serial: string) => <Typography.Text code>{serial}</Typography.Text>,
    },
    {
      key: "model",
      title: "Model",
      dataIndex: "model",
      render: (model: string | null) =>
        model || <Typography.Text type="secondary">—</Typography.Text>,
    },
    {
      key: "last_reading_at",
      title: "Last reading",
      dataIndex: "last_reading_at",
      render: (at: string | null | undefined) => (
        <ReadingAge lastReadingAt={at} now={now} timeZone={timeZone} />
      ),
    },
    ...extraColumns,
  ];
  if (isAdmin) {
    columns.push({
      key: "actions",
      title: "Actions",
      align: "right",
      render: (_, device) => (
        <Space size={4} wrap>
          <Button size="small" data-testid="device-tokens" onClick={() => onTokens(device)}>
            Tokens
          </Button>
          <Button size="small" data-testid="device-edit" onClick={() => onEdit(device)}>
            Edit
          </Button>
          <Popconfirm
            title={`Delete ${device.name}?`}
            description="Its tokens and all its measurements are deleted too. This cannot be undone."
            okText="Delete"
            okButtonProps={{ danger: true, "data-testid": "device-delete-confirm" }}
            onConfirm={() => onDelete(device)}
          >
            <Button size="small" danger data-testid="device-delete">
              Delete
            </Button>
          </Popconfirm>
        </Space>
      ),
    });
  }

  return (
    <Table<Device>
      data-testid="devices-table"
      rowKey="id"
      columns={columns}
      dataSource={devices}
      loading={loading}
      pagination={false}
      scroll={{ x: "max-content" }}
      locale={{ emptyText: empty }}
      onRow={(device) => testId(`device-row-${device.serial}`) as HTMLAttributes<HTMLElement>}
    />
  );
}
