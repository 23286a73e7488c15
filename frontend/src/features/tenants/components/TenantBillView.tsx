import { Card, Empty, Skeleton } from "antd";
import type { ReactNode } from "react";
import { isNotFound, LoadFailed, ResourceNotFound } from "@/components/resource-page/ResourcePage";
import { billUnavailable } from "@/features/billing";
import { useTenantBill } from "../api/tenants";
import { TenantBillDocument } from "./TenantBillDocument";

/** One tenant's bill of a month, or why there is none ("not found" for a 404). */
export function TenantBillView({
  tenantId,
  month,
  back,
}: {
  tenantId: number;
  month: string;
  back: ReactNode;
}) {
  const bill = useTenantBill(tenantId, month);
  let body: ReactNode;
  if (bill.isError && isNotFound(bill.error)) {
    body = (
      <ResourceNotFound
        error={bill.error}
        testId="tenant-bill-not-found"
        notFound={{ title: "Bill not found", detail: "There is no such tenant bill for you." }}
        errorTitle="The bill could not be loaded"
        back={back}
      />
    );
  } else if (bill.isError) {
    const unavailable = billUnavailable(bill.error);
    body = unavailable ? (
      <Empty data-testid="tenant-bill-unavailable" description={unavailable.detail} />
    ) : (
      <LoadFailed
        error={bill.error}
        title="The bill could not be calculated"
        testId="tenant-bill-error"
      />
    );
  } else if (!bill.data) {
    body = <Skeleton active paragraph={{ rows: 10 }} />;
  } else {
    body = <TenantBillDocument bill={bill.data} />;
  }
  return <Card className="bill-card">{body}</Card>;
}
