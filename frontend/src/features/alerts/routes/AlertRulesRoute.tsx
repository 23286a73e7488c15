import { DeleteOutlined, EditOutlined, PlusOutlined } from "@ant-design/icons";
import { App, Button, Card, Empty, Popconfirm, Space, Switch, Table, Tag, Typography } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes } from "react";
import { useMemo, useState } from "react";
import { errorMessage } from "@/api/errors";
import { QueryError } from "@/components/resource-page/ResourcePage";
import { useSites } from "@/features/sites";
import { testId } from "@/lib/test-id";
import { useAlertRules, useAllDevices, useDeleteAlertRule, useUpdateAlertRule } from "../api/rules";
import { RuleFormModal } from "../components/RuleFormModal";
import { SeverityTag } from "../components/SeverityTag";
import { KINDS } from "../lib/kinds";
import { subjectName } from "../lib/subjects";
import type { SubjectNames } from "../lib/subjects";
import type { AlertRule } from "../types";

/** /settings/alerts (admin): the alert rules; add, edit (with a backtest), enable, delete. */
export function AlertRulesRoute() {
  const { message } = App.useApp();
  const rules = useAlertRules();
  const sites = useSites();
  const devices = useAllDevices();
  const update = useUpdateAlertRule();
  const remove = useDeleteAlertRule();
  const [editing, setEditing] = useState<AlertRule | "new" | null>(null);
  const names: SubjectNames = useMemo(
    () => ({
      sites: new Map((sites.data ?? []).map((s) => [s.id, s.name])),
      devices: new Map((devices.data ?? []).map((d) => [d.id, d])),
    }),
    [sites.data, devices.data],
  );

  const columns: TableColumnsType<AlertRule> = [
    {
      key: "name",
      title: "Rule",
      render: (_, r) => <span data-testid="rule-name-cell">{r.name}</span>,
    },
    {
      key: "kind",
      title: "Kind",
      render: (_, r) => <span title={KINDS[r.kind].explanation}>{KINDS[r.kind].label}</span>,
    },
    {
      key: "subject",
      title: "Subject",
      render: (_, r) => <span data-testid="rule-subject-cell">{subjectName(r, names)}</span>,
    },
    { key: "severity", title: "Severity", render: (_, r) => <SeverityTag severity={r.severity} /> },
    {
      key: "enabled",
      title: "Enabled",
      render: (_, r) => (
        <Switch
          size="small"
          checked={r.enabled}
          data-testid={`rule-enabled-${r.id}`}
          aria-label={r.enabled ? `Disable ${r.name}` : `Enable ${r.name}`}
          loading={update.isPending && update.variables?.id === r.id}
          onChange={(enabled) =>
            update.mutate(
              { id: r.id, enabled },
              {
                onSuccess: () =>
                  void message.success(
                    enabled
                      ? `${r.name} enabled`
                      : `${r.name} disabled: its open alerts resolved without a notification`,
                  ),
                onError: (e) => void message.error(errorMessage(e)),
              },
            )
          }
        />
      ),
    },
    {
      key: "firing",
      title: "Firing",
      align: "right",
      render: (_, r) =>
        r.firing > 0 ? (
          <Tag color="red" data-testid={`rule-firing-${r.id}`}>
            {r.firing}
          </Tag>
        ) : (
          <span data-testid={`rule-firing-${r.id}`}>0</span>
        ),
    },
    {
      key: "actions",
      title: "",
      align: "right",
      render: (_, r) => (
        <Space>
          <Button
            size="small"
            icon={<EditOutlined />}
            aria-label="Edit"
            data-testid={`rule-edit-${r.id}`}
            onClick={() => setEditing(r)}
          />
          <Popconfirm
            title={`Delete ${r.name}?`}
            description="Its open alerts resolve without a notification; their history stays."
            okText="Delete"
            okButtonProps={{ danger: true, ...testId(`rule-delete-confirm-${r.id}`) }}
            onConfirm={() =>
              remove.mutateAsync(r.id).then(
                () => void message.success(`${r.name} deleted`),
                (e: unknown) => void message.error(errorMessage(e)),
              )
            }
          >
            <Button
              size="small"
              danger
              icon={<DeleteOutlined />}
              aria-label="Delete"
              data-testid={`rule-delete-${r.id}`}
            />
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <Card
      size="small"
      title="Alert rules"
      extra={
        <Button
          type="primary"
          size="small"
          icon={<PlusOutlined />}
          data-testid="new-alert-rule"
          onClick={() => setEditing("new")}
        >
          New rule
        </Button>
      }
    >
      <Typography.Paragraph type="secondary">
        Each rule watches a site, a device or a virtual meter and fires when its condition holds;
        the alerts go to the users&apos; e-mail and the webhooks (Settings → Notifications).
      </Typography.Paragraph>
      <QueryError query={rules} title="The alert rules could not be loaded" testId="rules-error" />
      <Table<AlertRule>
        data-testid="alert-rules-table"
        size="small"
        rowKey="id"
        loading={rules.isPending}
        columns={columns}
        dataSource={rules.data ?? []}
        pagination={false}
        scroll={{ x: "max-content" }}
        onRow={(r) => testId(`rule-row-${r.id}`) as HTMLAttributes<HTMLElement>}
        locale={{
          emptyText: (
            <Empty
              data-testid="alert-rules-empty"
              image={Empty.PRESENTED_IMAGE_SIMPLE}
              description="No alert rules yet: add one to be told when demand, power factor or a meter goes wrong."
            />
          ),
        }}
      />
      {editing && (
        <RuleFormModal
          rule={editing === "new" ? undefined : editing}
          subjectName={editing === "new" ? undefined : subjectName(editing, names)}
          onClose={() => setEditing(null)}
        />
      )}
    </Card>
  );
}
