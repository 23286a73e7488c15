import { DownloadOutlined, PrinterOutlined } from "@ant-design/icons";
import { Button, Flex } from "antd";
import { tenantBillCsvUrl } from "../api/tenants";

/** CSV download and print of one tenant bill. */
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
      <Button
        data-testid="tenant-bill-csv"
        icon={<DownloadOutlined />}
        href={tenantBillCsvUrl(tenantId, month)}
        download
        disabled={!ready}
      >
        Download CSV
      </Button>
      <Button
        data-testid="tenant-bill-print"
        type="primary"
        icon={<PrinterOutlined />}
        disabled={!ready}
        onClick={() => window.print()}
      >
        Print / save as PDF
      </Button>
    </Flex>
  );
}
