import { PlusOutlined } from "@ant-design/icons";
import { App, Button, Card, Empty, Popconfirm, Space, Table, Typography } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes } from "react";
import { useState } from "react";
import { errorMessage } from "@/api/errors";
import { QueryError } from "@/components/resource-page/ResourcePage";
import { testId } from "@/lib/test-id";
import { useDeleteVirtualMeter, useVirtualMeters } from "../api/virtual-meters";
import type { MeterChoice, VirtualMeter } from "../types";
import { VirtualMeterFormModal } from "./VirtualMeterFormModal";

type VirtualMetersCardProps = {
  siteId: number;
  /** The site's devices (what a virtual meter adds and subtracts). */
  devices: MeterChoice[];
  isAdmin: boolean;
};

type Dialog = { kind: "create" } | { kind: "edit"; meter: VirtualMeter } | null;

/** A site's virtual meters: each with its formula; admins create, edit and delete them. */
export function VirtualMetersCard({ siteId, devices, isAdmin }: VirtualMetersCardProps) {
  const { message } = App.useApp();
  const meters = useVirtualMeters(siteId);
  const remove = useDeleteVirtualMeter();
  const [dialog, setDialog] = useState<Dialog>(null);

  const onDelete = (meter: VirtualMeter) =>
    remove.mutateAsync(meter.id).then(
      () => void message.success(`Deleted ${meter.name}`),
      (error: unknown) => void message.error(errorMessage(error)),
    );

  const columns: TableColumnsType<VirtualMeter> = [
    {
      key: "name",
      title: "Name",
      dataIndex: "name",
      render: (name: string) => (
        <Typography.Text strong data-testid="virtual-meter-name-cell">
          {name}
        </Typography.Text>
      ),
    },
    {
      key: "formula",
      title: "Formula",
      dataIndex: "formula",
      render: (formula: string) => (
        <Typography.Text data-testid="virtual-meter-formula">= {formula}</Typography.Text>
      ),
    },
  ];
  if (isAdmin) {
    columns.push({
      key: "actions",
      title: "Actions",
      align: "right",
      render: (_, meter) => (
        <Space size={4}>
          <Button
            size="small"
            data-testid="virtual-meter-edit"
            onClick={() => setDialog({ kind: "edit", meter })}
          >
            Edit
          </Button>
          <Popconfirm
            title={`Delete ${meter.name}?`}
            description="Only the formula goes: the meters' readings stay."
            okText="Delete"
            okButtonProps={{ danger: true, "data-testid": "virtual-meter-delete-confirm" }}
            onConfirm={() => onDelete(meter)}
          >
            <Button size="small" danger data-testid="virtual-meter-delete">
              Delete
            </Button>
          </Popconfirm>
        </Space>
      ),
    });
  }

  return (
    <Card
      title={`Virtual meters (${meters.data?.length ?? 0})`}
      style={{ marginBottom: 16 }}
      styles={{ body: { padding: 0 } }}
      data-testid="virtual-meters"
      extra={
        isAdmin && (
          <Button
            size="small"
            type="primary"
            icon={<PlusOutlined />}
            data-testid="virtual-meter-create"
            disabled={devices.length === 0}
            onClick={() => setDialog({ kind: "create" })}
          >
            New virtual meter
          </Button>
        )
      }
    >
      <QueryError
        query={meters}
        title="The virtual meters could not be loaded"
        style={{ margin: 16 }}
      />
      <Table<VirtualMeter>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={meters.data}
        loading={meters.isPending && !meters.isError}
        pagination={false}
        locale={{
          emptyText: (
            <Empty
              data-testid="virtual-meters-empty"
              image={Empty.PRESENTED_IMAGE_SIMPLE}
              description={
                isAdmin
                  ? "No virtual meters yet: combine meters, e.g. “Building B = Incomer − Building A”."
                  : "No virtual meters yet."
              }
            />
          ),
        }}
        onRow={(meter) => testId(`virtual-meter-row-${meter.id}`) as HTMLAttributes<HTMLElement>}
      />
      {dialog && (
        <VirtualMeterFormModal
          siteId={siteId}
          devices={devices}
          meters={meters.data ?? []}
          meter={dialog.kind === "edit" ? dialog.meter : undefined}
          onClose={() => setDialog(null)}
        />
      )}
    </Card>
  );
}
