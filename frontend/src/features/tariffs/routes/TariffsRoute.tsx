import { DeleteOutlined, EditOutlined, PlusOutlined, ReloadOutlined } from "@ant-design/icons";
import { Alert, Button, Flex, Popconfirm, Table, Tag, Tooltip, Typography } from "antd";
import type { TableColumnsType } from "antd";
import { useState } from "react";
import type { HTMLAttributes } from "react";
import { Link, useNavigate } from "react-router";
import { errorMessage } from "@/api/errors";
import { QueryError } from "@/components/resource-page/ResourcePage";
import { testId } from "@/lib/test-id";
import { useDeleteTariff, useTariffs } from "../api/tariffs";
import { RATES_PATH } from "../lib/paths";
import type { TariffSummary } from "../lib/types";

/** Settings → Rates: the tariffs, how many sites use each; create, edit, delete. */
export function TariffsRoute() {
  const tariffs = useTariffs();
  const remove = useDeleteTariff();
  const navigate = useNavigate();
  const [deleteError, setDeleteError] = useState<string | null>(null);

  const columns: TableColumnsType<TariffSummary> = [
    {
      key: "name",
      title: "Name",
      dataIndex: "name",
      render: (name: string, t) => (
        <Link to={`${RATES_PATH}/${t.id}`} data-testid="tariff-name-cell">
          {name}
        </Link>
      ),
    },
    { key: "currency", title: "Currency", dataIndex: "currency", width: 100 },
    { key: "timezone", title: "Time zone", dataIndex: "timezone" },
    { key: "versions", title: "Versions", dataIndex: "version_count", align: "right", width: 100 },
    {
      key: "sites",
      title: "Sites",
      dataIndex: "site_count",
      align: "right",
      width: 100,
      render: (count: number) =>
        count ? (
          <Tag color="blue" data-testid="tariff-site-count">
            {count}
          </Tag>
        ) : (
          <Typography.Text type="secondary" data-testid="tariff-site-count">
            0
          </Typography.Text>
        ),
    },
    {
      key: "actions",
      title: "Actions",
      width: 120,
      render: (_, t) => (
        <Flex gap={4}>
          <Tooltip title="Edit">
            <Button
              data-testid="tariff-edit"
              type="text"
              aria-label={`Edit ${t.name}`}
              icon={<EditOutlined />}
              onClick={() => void navigate(`${RATES_PATH}/${t.id}`)}
            />
          </Tooltip>
          <Popconfirm
            title={`Delete ${t.name}?`}
            description={
              t.site_count
                ? `${t.site_count} site(s) use it: assign them another tariff first.`
                : "This cannot be undone."
            }
            okText="Delete"
            okButtonProps={{ danger: true, ...testId("tariff-delete-confirm") }}
            onConfirm={() => {
              setDeleteError(null);
              return remove
                .mutateAsync(t.id)
                .catch((error: unknown) => setDeleteError(errorMessage(error)));
            }}
          >
            <Button
              data-testid="tariff-delete"
              type="text"
              danger
              aria-label={`Delete ${t.name}`}
              icon={<DeleteOutlined />}
            />
          </Popconfirm>
        </Flex>
      ),
    },
  ];

  return (
    <>
      <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 16 }}>
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          Tariffs price a site&apos;s energy: time-of-use periods, rates, fixed and demand charges.
          Assign one to each site to see its bills and costs.
        </Typography.Paragraph>
        <Flex gap={8}>
          <Button
            data-testid="tariffs-refresh"
            icon={<ReloadOutlined />}
            loading={tariffs.isFetching && !tariffs.isPending}
            onClick={() => void tariffs.refetch()}
          >
            Reload
          </Button>
          <Button
            data-testid="tariff-new"
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => void navigate(`${RATES_PATH}/new`)}
          >
            New tariff
          </Button>
        </Flex>
      </Flex>
      <QueryError
        query={tariffs}
        title="The tariffs could not be loaded"
        style={{ marginBottom: 16 }}
      />
      {deleteError && (
        <Alert
          data-testid="tariff-delete-error"
          type="error"
          showIcon
          closable={{ onClose: () => setDeleteError(null) }}
          title="The tariff was not deleted"
          description={deleteError}
          style={{ marginBottom: 16 }}
        />
      )}
      <div data-testid="tariffs-table">
        <Table<TariffSummary>
          rowKey="id"
          columns={columns}
          dataSource={tariffs.data}
          loading={tariffs.isPending && !tariffs.isError}
          pagination={false}
          scroll={{ x: "max-content" }}
          locale={{ emptyText: "No tariffs yet: create one, starting from a template." }}
          onRow={(t) => testId(`tariff-row-${t.name}`) as HTMLAttributes<HTMLElement>}
        />
      </div>
    </>
  );
}
