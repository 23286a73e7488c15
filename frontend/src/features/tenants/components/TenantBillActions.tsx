import { PrinterOutlined } from "@ant-design/icons";
import { Button, Flex } from "antd";
import { DownloadButtons } from "@/components/downloads/DownloadButtons";
import { tenantBillDownloads } from "../api/tenants";

/** Downloads (CSV, PDF, Excel) and print of one tenant bill. */
export function TenantBillActions({
  tenantId,
  month,
  ready,
}: {
  tenantId: number;
  month: string;
  ready: boolean;
}) {
  return (
    <Flex wrap gap={8}>
      <DownloadButtons
        what="the bill"
        downloads={tenantBillDownloads(tenantId, month)}
        disabled={!ready}
      />
      <Button
        data-testid="tenant-bill-print"
        type="primary"
        icon={<PrinterOutlined />}
        disabled={!ready}
        onClick={() => window.print()}
      >
        Print
      </Button>
    </Flex>
  );
}
