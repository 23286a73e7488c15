import { DeleteOutlined, LogoutOutlined, PlusOutlined } from "@ant-design/icons";
import { App, Button, Card, Empty, Popconfirm, Space, Table, Tag } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes } from "react";
import { useState } from "react";
import { errorMessage } from "@/api/errors";
import { QueryError } from "@/components/resource-page/ResourcePage";
import { testId } from "@/lib/test-id";
import { useDeleteAssignment, useTenantMeters } from "../api/tenants";
import { wallClock } from "../lib/instants";
import { assignmentState } from "../lib/meters";
import type { Tenant, TenantMeter } from "../types";
import { AssignMeterModal } from "./AssignMeterModal";
import { EndAssignmentModal } from "./EndAssignmentModal";

const STATE_TAGS = {
  current: <Tag color="green">current</Tag>,
  ended: <Tag>moved out</Tag>,
  upcoming: <Tag color="blue">upcoming</Tag>,
};

/** A tenant's meters over time: assign one, move out of one, remove a wrong assignment. */
export function TenantMetersCard({ tenant, timeZone }: { tenant: Tenant; timeZone: string }) {
  const { message } = App.useApp();
  const meters = useTenantMeters(tenant.id);
  const remove = useDeleteAssignment();
  const [assigning, setAssigning] = useState(false);
  const [ending, setEnding] = useState<TenantMeter | null>(null);

  const columns: TableColumnsType<TenantMeter> = [
    {
      key: "meter",
      title: "Meter",
      render: (_, a) => (
        <Space>
          <span data-testid="assignment-meter">{a.meter_name}</span>
          {a.kind === "virtual_meter" && <Tag>virtual</Tag>}
        </Space>
      ),
    },
    { key: "start", title: "From", render: (_, a) => wallClock(a.start) },
    {
      key: "end",
      title: "Until",
      render: (_, a) => wallClock(a.end),
    },
    {
      key: "state",
      title: "",
      render: (_, a) => (
        <span data-testid="assignment-state">{STATE_TAGS[assignmentState(a)]}</span>
      ),
    },
    {
      key: "actions",
      title: "",
      align: "right",
      render: (_, a) => (
        <Space>
          {a.end === null && (
            <Button
              size="small"
              icon={<LogoutOutlined />}
              data-testid={`assignment-end-${a.id}`}
              onClick={() => setEnding(a)}
            >
              Move out
            </Button>
          )}
          <Popconfirm
            title="Remove this assignment?"
            description="The tenant's bills will no longer include this meter for this period."
            okText="Remove"
            okButtonProps={{ danger: true, ...testId(`assignment-delete-confirm-${a.id}`) }}
            onConfirm={() =>
              remove.mutate(a.id, { onError: (e) => void message.error(errorMessage(e)) })
            }
          >
            <Button
              size="small"
              danger
              icon={<DeleteOutlined />}
              aria-label="Remove"
              data-testid={`assignment-delete-${a.id}`}
            />
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <Card
      size="small"
      data-testid={`tenant-meters-${tenant.id}`}
      title={`Meters of ${tenant.name}`}
      extra={
        <Button
          size="small"
          type="primary"
          icon={<PlusOutlined />}
          data-testid="assign-meter"
          onClick={() => setAssigning(true)}
        >
          Assign a meter
        </Button>
      }
    >
      <QueryError query={meters} title="The tenant's meters could not be loaded" />
      <Table<TenantMeter>
        size="small"
        rowKey="id"
        loading={meters.isPending}
        columns={columns}
        dataSource={meters.data ?? []}
        pagination={false}
        onRow={(a) => testId(`assignment-row-${a.id}`) as HTMLAttributes<HTMLElement>}
        locale={{
          emptyText: (
            <Empty
              image={Empty.PRESENTED_IMAGE_SIMPLE}
              description="No meters yet: assign the meters this tenant uses, from the day it moved in."
            />
          ),
        }}
      />
      {assigning && (
        <AssignMeterModal tenant={tenant} timeZone={timeZone} onClose={() => setAssigning(false)} />
      )}
      {ending && (
        <EndAssignmentModal
          assignment={ending}
          timeZone={timeZone}
          onClose={() => setEnding(null)}
        />
      )}
    </Card>
  );
}
