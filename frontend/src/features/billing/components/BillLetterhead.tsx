import { Flex, theme, Typography } from "antd";
import { BrandMark, useBrand } from "@/features/branding";
import { formatBillPeriod, formatMoney } from "../lib/format";

type BillLetterheadProps = {
  /** Who the bill is for: the site, or the tenant. */
  name: string;
  /** "Electricity bill", "Electricity recharge"… */
  kind: string;
  start: string;
  end: string;
  total: number;
  currency: string;
  /** data-testids of the name, the period and the total (the brand's is `bill-brand`). */
  testIds: { name: string; period: string; total: string };
};

/** A bill's letterhead: the brand, who and when, the total in a box. Site and tenant bills. */
export function BillLetterhead({
  name,
  kind,
  start,
  end,
  total,
  currency,
  testIds,
}: BillLetterheadProps) {
  const { token } = theme.useToken();
  const { product_name: productName } = useBrand();
  return (
    <Flex justify="space-between" align="flex-start" wrap gap={16} style={{ marginBottom: 20 }}>
      <div>
        <Flex align="center" gap={8}>
          <BrandMark logoHeight={28} iconSize={20} />
          <Typography.Text strong data-testid="bill-brand" style={{ fontSize: 16 }}>
            {productName}
          </Typography.Text>
        </Flex>
        <Typography.Title level={3} style={{ margin: "8px 0 0" }} data-testid={testIds.name}>
          {name}
        </Typography.Title>
        <Typography.Text type="secondary" data-testid={testIds.period}>
          {kind} · {formatBillPeriod(start, end)}
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
          data-testid={testIds.total}
          style={{ fontSize: 24, fontWeight: 600, fontVariantNumeric: "tabular-nums" }}
        >
          {formatMoney(total, currency)}
        </div>
      </div>
    </Flex>
  );
}
