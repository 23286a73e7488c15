import { DeleteOutlined, EditOutlined, PlusOutlined } from "@ant-design/icons";
import { App, Button, Card, Empty, Popconfirm, Space, Table } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes } from "react";
import { useState } from "react";
import { errorMessage } from "@/api/errors";
import { QueryError } from "@/components/resource-page/ResourcePage";
import { useTariffs } from "@/features/tariffs";
import { testId } from "@/lib/test-id";
import { useDeleteTenant, useSiteTenants } from "../api/tenants";
import { ruleSummary } from "../lib/rule";
import type { Tenant } from "../types";
import { TenantFormModal } from "./TenantFormModal";

type Props = {
  siteId: number;
  selected: number | null;
  onSelect: (tenantId: number) => void;
};

/** A site's tenants with their recharge rules: add, edit, delete; pick one to see its meters. */
export function TenantsCard({ siteId, selected, onSelect }: Props) {
  const { message } = App.useApp();
  const tenants = useSiteTenants(siteId);
  const tariffs = useTariffs();
  const remove = useDeleteTenant();
  const [editing, setEditing] = useState<Tenant | "new" | null>(null);
  const tariffName = (id: number | null | undefined) =>
    tariffs.data?.find((t) => t.id === id)?.name;

  const columns: TableColumnsType<Tenant> = [
    {
      key: "name",
      title: "Tenant",
      render: (_, t) => (
        <Button
          type="link"
          style={{ padding: 0 }}
          data-testid={`tenant-open-${t.id}`}
          onClick={() => onSelect(t.id)}
        >
          {t.name}
        </Button>
      ),
    },
    { key: "reference", title: "Reference", render: (_, t) => t.reference ?? "—" },
    {
      key: "rule",
      title: "Recharge rule",
      render: (_, t) => (
        <span data-testid="tenant-rule">{ruleSummary(t.rule, tariffName(t.rule.tariff_id))}</span>
      ),
    },
    {
      key: "actions",
      title: "",
      align: "right",
      render: (_, t) => (
        <Space>
          <Button
            size="small"
            icon={<EditOutlined />}
            aria-label="Edit"
            data-testid={`tenant-edit-${t.id}`}
            onClick={() => setEditing(t)}
          />
          <Popconfirm
            title={`Delete ${t.name}?`}
            description="Only a tenant without meter assignments can be deleted."
            okText="Delete"
            okButtonProps={{ danger: true, ...testId(`tenant-delete-confirm-${t.id}`) }}
            onConfirm={() =>
              remove.mutate(t.id, {
                onSuccess: () => void message.success(`${t.name} deleted`),
                onError: (e) => void message.error(errorMessage(e)),
              })
            }
          >
            <Button
              size="small"
              danger
              icon={<DeleteOutlined />}
              aria-label="Delete"
              data-testid={`tenant-delete-${t.id}`}
            />
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <Card
      size="small"
      title="Tenants"
      extra={
        <Button
          type="primary"
          size="small"
          icon={<PlusOutlined />}
          data-testid="tenant-create"
          onClick={() => setEditing("new")}
        >
          Add a tenant
        </Button>
      }
    >
      <QueryError query={tenants} title="The tenants could not be loaded" testId="tenants-error" />
      <Table<Tenant>
        data-testid="tenants-table"
        size="small"
        rowKey="id"
        loading={tenants.isPending}
        columns={columns}
        dataSource={tenants.data ?? []}
        pagination={false}
        rowClassName={(t) => (t.id === selected ? "ant-table-row-selected" : "")}
        onRow={(t) => testId(`tenant-row-${t.id}`) as HTMLAttributes<HTMLElement>}
        locale={{
          emptyText: (
            <Empty
              data-testid="tenants-empty"
              image={Empty.PRESENTED_IMAGE_SIMPLE}
              description="No tenants yet: add the shops, offices or departments you recharge, each with its rule."
            />
          ),
        }}
      />
      {editing && (
        <TenantFormModal
          siteId={siteId}
          tenant={editing === "new" ? undefined : editing}
          onClose={() => setEditing(null)}
        />
      )}
    </Card>
  );
}
