import { DeleteOutlined, EditOutlined, PlusOutlined, SendOutlined } from "@ant-design/icons";
import { App, Button, Card, Empty, Popconfirm, Space, Switch, Table, Tag, Typography } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes } from "react";
import { useMemo, useState } from "react";
import { errorMessage } from "@/api/errors";
import { formatDateTimeIn } from "@/components/data-display/format";
import { QueryError } from "@/components/resource-page/ResourcePage";
import type { Site } from "@/features/sites";
import { useTenantsOfSites } from "@/features/tenants";
import { testId } from "@/lib/test-id";
import { useDeleteSchedule, useReportSchedules, useUpdateSchedule } from "../api/schedules";
import { cadenceLabel, contentLabel } from "../lib/schedules";
import type { Schedule } from "../types";
import { ScheduleFormModal } from "./ScheduleFormModal";
import { SendNowModal } from "./SendNowModal";

type Props = {
  sites: Site[];
  /** A new schedule's site (the one the page shows). */
  defaultSiteId?: number;
};

/** The report schedules: add, edit, enable, delete, and send one now. */
export function SchedulesCard({ sites, defaultSiteId }: Props) {
  const { message } = App.useApp();
  const schedules = useReportSchedules();
  const update = useUpdateSchedule();
  const remove = useDeleteSchedule();
  const [editing, setEditing] = useState<Schedule | "new" | null>(null);
  const [sending, setSending] = useState<Schedule | null>(null);
  const rows = useMemo(() => schedules.data ?? [], [schedules.data]);
  const tenantSites = rows.filter((s) => s.tenant_id !== null).map((s) => s.site_id);
  const { tenants } = useTenantsOfSites(tenantSites);
  const siteOf = useMemo(() => new Map(sites.map((s) => [s.id, s])), [sites]);

  const subjectName = (s: Schedule): string => {
    const site = siteOf.get(s.site_id)?.name ?? `Site ${s.site_id}`;
    if (s.tenant_id === null) return site;
    const tenant = tenants.find((t) => t.id === s.tenant_id)?.name ?? `tenant ${s.tenant_id}`;
    return `${site} · ${tenant}`;
  };

  const columns: TableColumnsType<Schedule> = [
    {
      key: "name",
      title: "Schedule",
      render: (_, s) => (
        <div>
          <div data-testid="schedule-name-cell">{s.name}</div>
          <Typography.Text
            type="secondary"
            style={{ fontSize: 12 }}
            data-testid="schedule-subject-cell"
          >
            {subjectName(s)}
          </Typography.Text>
        </div>
      ),
    },
    {
      key: "cadence",
      title: "When (site time)",
      render: (_, s) => (
        <div>
          <div data-testid={`schedule-cadence-${s.id}`}>{cadenceLabel(s)}</div>
          <Typography.Text
            type="secondary"
            style={{ fontSize: 12 }}
            data-testid={`schedule-next-${s.id}`}
          >
            {s.enabled && s.next_due_at
              ? `next ${formatDateTimeIn(s.next_due_at, siteOf.get(s.site_id)?.timezone)}`
              : "not scheduled (disabled)"}
          </Typography.Text>
        </div>
      ),
    },
    {
      key: "contents",
      title: "Documents",
      render: (_, s) => (
        <Space
          size={[4, 4]}
          wrap
          style={{ maxWidth: 240 }}
          data-testid={`schedule-contents-${s.id}`}
        >
          {s.contents.map((c) => (
            <Tag key={c} style={{ marginInlineEnd: 0 }}>
              {contentLabel(c, s.tenant_id !== null)}
            </Tag>
          ))}
        </Space>
      ),
    },
    {
      key: "recipients",
      title: "Recipients",
      render: (_, s) => (
        <Typography.Text
          data-testid={`schedule-recipients-${s.id}`}
          style={{ display: "inline-block", maxWidth: 200, wordBreak: "break-all" }}
        >
          {s.recipients.join(", ")}
        </Typography.Text>
      ),
    },
    {
      key: "enabled",
      title: "Enabled",
      render: (_, s) => (
        <Switch
          size="small"
          checked={s.enabled}
          data-testid={`schedule-enabled-${s.id}`}
          aria-label={s.enabled ? `Disable ${s.name}` : `Enable ${s.name}`}
          loading={update.isPending && update.variables?.id === s.id}
          onChange={(enabled) =>
            update.mutate(
              { id: s.id, enabled },
              {
                onSuccess: () =>
                  void message.success(
                    enabled
                      ? `${s.name} enabled: the next period is sent when it falls due`
                      : `${s.name} disabled`,
                  ),
                onError: (e) => void message.error(errorMessage(e)),
              },
            )
          }
        />
      ),
    },
    {
      key: "actions",
      title: "",
      align: "right",
      render: (_, s) => (
        <Space>
          <Button
            size="small"
            icon={<SendOutlined />}
            data-testid={`schedule-send-${s.id}`}
            onClick={() => setSending(s)}
          >
            Send now
          </Button>
          <Button
            size="small"
            icon={<EditOutlined />}
            aria-label="Edit"
            data-testid={`schedule-edit-${s.id}`}
            onClick={() => setEditing(s)}
          />
          <Popconfirm
            title={`Delete ${s.name}?`}
            description="Nothing more is sent; what it sent stays listed below."
            okText="Delete"
            okButtonProps={{ danger: true, ...testId(`schedule-delete-confirm-${s.id}`) }}
            onConfirm={() =>
              remove.mutateAsync(s.id).then(
                () => void message.success(`${s.name} deleted`),
                (e: unknown) => void message.error(errorMessage(e)),
              )
            }
          >
            <Button
              size="small"
              danger
              icon={<DeleteOutlined />}
              aria-label="Delete"
              data-testid={`schedule-delete-${s.id}`}
            />
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <Card
      size="small"
      title="Schedules"
      data-testid="schedules-card"
      style={{ marginBottom: 16 }}
      extra={
        <Button
          type="primary"
          size="small"
          icon={<PlusOutlined />}
          data-testid="schedule-create"
          disabled={sites.length === 0}
          onClick={() => setEditing("new")}
        >
          New schedule
        </Button>
      }
    >
      <Typography.Paragraph type="secondary">
        Each schedule mails a site&apos;s documents (or one tenant&apos;s bill) to a list of
        addresses after every month or week, through the portal&apos;s e-mail settings (Settings →
        Notifications).
      </Typography.Paragraph>
      <QueryError
        query={schedules}
        title="The schedules could not be loaded"
        testId="schedules-error"
      />
      <Table<Schedule>
        data-testid="schedules-table"
        size="small"
        rowKey="id"
        loading={schedules.isPending}
        columns={columns}
        dataSource={rows}
        pagination={false}
        scroll={{ x: "max-content" }}
        onRow={(s) => testId(`schedule-row-${s.id}`) as HTMLAttributes<HTMLElement>}
        locale={{
          emptyText: (
            <Empty
              data-testid="schedules-empty"
              image={Empty.PRESENTED_IMAGE_SIMPLE}
              description={
                sites.length
                  ? "No schedules yet: add one to mail the monthly report and bills automatically."
                  : "No sites yet: a schedule sends the documents of a site."
              }
            />
          ),
        }}
      />
      {editing && (
        <ScheduleFormModal
          schedule={editing === "new" ? undefined : editing}
          sites={sites}
          defaultSiteId={defaultSiteId}
          subjectName={editing === "new" ? undefined : subjectName(editing)}
          onClose={() => setEditing(null)}
        />
      )}
      {sending && <SendNowModal schedule={sending} onClose={() => setSending(null)} />}
    </Card>
  );
}
