import { Card, Flex, Skeleton, Table, Tag, Typography } from "antd";
import type { TableColumnsType } from "antd";
import { useSearchParams } from "react-router";
import { LoadFailed } from "@/components/resource-page/ResourcePage";
import { useMyTenant } from "../api/tenants";
import { MonthPicker } from "../components/MonthPicker";
import { PortalEnergyCard } from "../components/PortalEnergyCard";
import { TenantBillActions } from "../components/TenantBillActions";
import { TenantBillView } from "../components/TenantBillView";
import { assignmentState } from "../lib/meters";
import { wallClock } from "../lib/instants";
import { monthParam } from "../lib/months";
import { usePrintClass } from "../lib/print";
import type { TenantMeter } from "../types";
import "../tenant-bill-print.css";

const columns: TableColumnsType<TenantMeter> = [
  {
    key: "name",
    title: "Meter",
    render: (_, a) => <span data-testid="portal-meter-name">{a.meter_name}</span>,
  },
  { key: "start", title: "From", render: (_, a) => wallClock(a.start) },
  { key: "end", title: "Until", render: (_, a) => wallClock(a.end) },
  {
    key: "state",
    title: "",
    render: (_, a) =>
      assignmentState(a) === "current" ? <Tag color="green">current</Tag> : <Tag>past</Tag>,
  },
];

/** "/" for a tenant user (?month=YYYY-MM): its meters, its energy per day, its bills by month. */
export function TenantPortalRoute() {
  usePrintClass("print-tenant-bill");
  const tenant = useMyTenant();
  const [params, setParams] = useSearchParams();
  const month = monthParam(params.get("month"));
  const setMonth = (m: string) => setParams({ month: m }, { replace: true });

  if (tenant.isError)
    return (
      <LoadFailed
        error={tenant.error}
        title="Your tenant account could not be loaded"
        testId="portal-error"
      />
    );
  if (!tenant.data) return <Skeleton active paragraph={{ rows: 10 }} />;
  const meters = tenant.data.meters;
  return (
    <Flex vertical gap={16}>
      <div className="no-print">
        <Typography.Title level={2} style={{ margin: 0 }} data-testid="portal-tenant-name">
          {tenant.data.name}
        </Typography.Title>
        <Typography.Text type="secondary">Your meters, your energy and your bills.</Typography.Text>
      </div>
      <Card size="small" title="Your meters" className="no-print">
        <Table<TenantMeter>
          data-testid="portal-meters"
          size="small"
          rowKey="id"
          columns={columns}
          dataSource={meters}
          pagination={false}
          locale={{ emptyText: "No meters are assigned to you yet." }}
        />
      </Card>
      <div className="no-print">
        <PortalEnergyCard assignments={meters} month={month} />
      </div>
      <Card size="small" title="Your bills" className="no-print">
        <Flex wrap gap={12} align="center" justify="space-between">
          <MonthPicker testId="portal-bill-month" value={month} onChange={setMonth} />
          <TenantBillActions tenantId={tenant.data.id} month={month} ready />
        </Flex>
      </Card>
      <TenantBillView tenantId={tenant.data.id} month={month} back={null} />
    </Flex>
  );
}
