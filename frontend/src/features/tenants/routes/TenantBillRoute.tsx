import { Breadcrumb, Card, Flex } from "antd";
import { Link, useParams, useSearchParams } from "react-router";
import { isTenantUser, useMe } from "@/features/auth";
import { TenantBillActions } from "../components/TenantBillActions";
import { TenantBillView } from "../components/TenantBillView";
import { MonthPicker } from "../components/MonthPicker";
import { useTenantBill } from "../api/tenants";
import { monthParam } from "../lib/months";
import { TENANTS_PATH } from "../lib/paths";
import { usePrintClass } from "../lib/print";
import "../tenant-bill-print.css";

/** /tenants/:tenantId/bill?month=YYYY-MM: one tenant's bill, to read, download or print. */
export function TenantBillRoute() {
  usePrintClass("print-tenant-bill");
  const { tenantId } = useParams();
  const id = Number(tenantId);
  const [params, setParams] = useSearchParams();
  const month = monthParam(params.get("month"));
  const { data: me } = useMe();
  const bill = useTenantBill(id, month);
  const tenantUser = isTenantUser(me);
  const backTo = tenantUser
    ? "/"
    : bill.data
      ? `${TENANTS_PATH}?site=${bill.data.site_id}&tab=bills&month=${month}`
      : TENANTS_PATH;
  const back = (
    <Link to={backTo} data-testid="tenant-bill-back">
      {tenantUser ? "Back to your portal" : "Back to the tenants"}
    </Link>
  );
  return (
    <>
      <Breadcrumb
        className="no-print"
        style={{ marginBottom: 16 }}
        items={[
          { title: <Link to={backTo}>{tenantUser ? "Portal" : "Tenants"}</Link> },
          { title: bill.data?.tenant_name ?? "Bill" },
        ]}
      />
      <Card className="no-print" size="small" style={{ marginBottom: 16 }}>
        <Flex wrap gap={12} align="center" justify="space-between">
          <MonthPicker
            testId="tenant-bill-month"
            value={month}
            onChange={(m) => setParams({ month: m }, { replace: true })}
          />
          <TenantBillActions tenantId={id} month={month} ready={Boolean(bill.data)} />
        </Flex>
      </Card>
      <TenantBillView tenantId={id} month={month} back={back} />
    </>
  );
}
