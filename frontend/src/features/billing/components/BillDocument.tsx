import { Descriptions, Typography } from "antd";
import { formatEnergy } from "@/components/data-display/format";
import { useBrand } from "@/features/branding";
import type { Bill } from "../lib/types";
import { BillLetterhead } from "./BillLetterhead";
import { BillTable } from "./BillTable";

type BillDocumentProps = {
  bill: Bill;
  siteName: string;
  tariffName?: string;
};

/** The bill as a document: letterhead, who and when, the lines, the total. Also what is printed. */
export function BillDocument({ bill, siteName, tariffName }: BillDocumentProps) {
  const { product_name: productName } = useBrand();
  const energy = formatEnergy(bill.energy_kwh);
  return (
    <div className="bill-document" data-testid="bill-document">
      <BillLetterhead
        name={siteName}
        kind="Electricity bill"
        start={bill.start}
        end={bill.end}
        total={bill.total}
        currency={bill.currency}
        testIds={{ name: "bill-site-name", period: "bill-period", total: "bill-total-headline" }}
      />
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
