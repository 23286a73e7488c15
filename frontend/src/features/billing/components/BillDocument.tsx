import { Descriptions, Flex, theme, Typography } from "antd";
import { formatEnergy } from "@/components/data-display/format";
import { BrandMark, useBrand } from "@/features/branding";
import { formatBillPeriod, formatMoney } from "../lib/format";
import type { Bill } from "../lib/types";
import { BillTable } from "./BillTable";

type BillDocumentProps = {
  bill: Bill;
  siteName: string;
  tariffName?: string;
};

/** The bill as a document: letterhead, who and when, the lines, the total. Also what is printed. */
export function BillDocument({ bill, siteName, tariffName }: BillDocumentProps) {
  const { token } = theme.useToken();
  const { product_name: productName } = useBrand();
  const energy = formatEnergy(bill.energy_kwh);
  return (
    <div className="bill-document" data-testid="bill-document">
      <Flex justify="space-between" align="flex-start" wrap gap={16} style={{ marginBottom: 20 }}>
        <div>
          <Flex align="center" gap={8}>
            <BrandMark logoHeight={28} iconSize={20} />
            <Typography.Text strong data-testid="bill-brand" style={{ fontSize: 16 }}>
              {productName}
            </Typography.Text>
          </Flex>
          <Typography.Title level={3} style={{ margin: "8px 0 0" }} data-testid="bill-site-name">
            {siteName}
          </Typography.Title>
          <Typography.Text type="secondary" data-testid="bill-period">
            Electricity bill · {formatBillPeriod(bill.start, bill.end)}
          </Typography.Text>
        </div>
        <div
          style={{
            textAlign: "right",
            background: token.colorFillQuaternary,
            border: `1px solid ${token.colorBorderSecondary}`,
            borderRadius: token.borderRadiusLG,
            padding: "10px 16px",
            minWidth: 200,
          }}
        >
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            Total incl. VAT
          </Typography.Text>
          <div
            data-testid="bill-total-headline"
            style={{ fontSize: 24, fontWeight: 600, fontVariantNumeric: "tabular-nums" }}
          >
            {formatMoney(bill.total, bill.currency)}
          </div>
        </div>
      </Flex>
      <Descriptions
        size="small"
        column={{ xs: 1, sm: 2, md: 4 }}
        style={{ marginBottom: 16 }}
        items={[
          ...(tariffName ? [{ key: "tariff", label: "Tariff", children: tariffName }] : []),
          { key: "energy", label: "Energy", children: `${energy.value} ${energy.unit}` },
          { key: "currency", label: "Currency", children: bill.currency },
          { key: "tz", label: "Time zone", children: bill.timezone },
        ]}
      />
      <BillTable bill={bill} />
      <Typography.Paragraph
        type="secondary"
        style={{ fontSize: 12, marginTop: 12, marginBottom: 0 }}
      >
        Calculated by {productName} from the site&apos;s metered register readings under its tariff;
        amounts in {bill.currency}, VAT on the subtotal. This is an estimate, not a tax invoice.
      </Typography.Paragraph>
    </div>
  );
}
