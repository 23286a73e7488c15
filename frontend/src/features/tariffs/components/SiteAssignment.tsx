import { FileSearchOutlined, LinkOutlined } from "@ant-design/icons";
import { Alert, App, Button, Empty, Flex, Select, Skeleton, Tag, Typography } from "antd";
import { useState } from "react";
import { Link } from "react-router";
import { errorMessage } from "@/api/errors";
import { LoadFailed } from "@/components/resource-page/ResourcePage";
import {
  BillTable,
  BillUnavailable,
  billUnavailable,
  formatBillPeriod,
  formatMoney,
  lastFullMonth,
  monthSpan,
  useBill,
} from "@/features/billing";
import { useSites } from "@/features/sites";
import { useAssignTariff } from "../api/tariffs";

type SiteAssignmentProps = {
  tariffId: number;
  /** The editor has unsaved changes: the preview shows the saved tariff. */
  dirty: boolean;
};

/** Put a site on this tariff, and preview the site's bill for last month under it. */
export function SiteAssignment({ tariffId, dirty }: SiteAssignmentProps) {
  const sites = useSites();
  const assign = useAssignTariff();
  const { message } = App.useApp();
  const [chosen, setChosen] = useState<number | null>(null);
  const [previewing, setPreviewing] = useState<number | null>(null);
  const month = lastFullMonth();
  const { start, end } = monthSpan(month);
  const bill = useBill(previewing, start, end);

  if (sites.isPending) return <Skeleton active paragraph={{ rows: 2 }} />;
  if (sites.isError) {
    return <LoadFailed error={sites.error} title="The sites could not be loaded" />;
  }
  if (sites.data.length === 0) {
    return (
      <Empty
        image={Empty.PRESENTED_IMAGE_SIMPLE}
        description="No sites yet: create a site to bill it with this tariff."
      />
    );
  }
  const using = sites.data.filter((s) => s.tariff_id === tariffId);
  const siteId = chosen ?? using[0]?.id ?? sites.data[0]!.id;
  const site = sites.data.find((s) => s.id === siteId);
  const onThisTariff = site?.tariff_id === tariffId;
  const unavailable = billUnavailable(bill.error);

  return (
    <div data-testid="site-assignment">
      <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
        {using.length
          ? `Used by ${using.map((s) => s.name).join(", ")}.`
          : "No site uses this tariff yet."}
      </Typography.Paragraph>
      <Flex wrap gap={8} align="center">
        <Select
          data-testid="assign-site"
          aria-label="Site"
          value={siteId}
          onChange={(id: number) => {
            setChosen(id);
            setPreviewing(null);
          }}
          showSearch={{ optionFilterProp: "title" }}
          style={{ minWidth: 260 }}
          options={sites.data.map((s) => ({
            value: s.id,
            title: s.name,
            label: (
              <Flex justify="space-between" gap={8}>
                <span>{s.name}</span>
                {s.tariff_id === tariffId ? (
                  <Tag color="blue">this tariff</Tag>
                ) : s.tariff_id === null ? (
                  <Tag>no tariff</Tag>
                ) : (
                  <Tag color="default">other tariff</Tag>
                )}
              </Flex>
            ),
          }))}
        />
        <Button
          data-testid="assign-tariff"
          icon={<LinkOutlined />}
          disabled={onThisTariff}
          loading={assign.isPending}
          onClick={() =>
            void assign
              .mutateAsync({ siteId, tariffId })
              .then(() => message.success(`${site?.name ?? "The site"} now uses this tariff`))
              .catch((error: unknown) => message.error(errorMessage(error)))
          }
        >
          {onThisTariff ? "Assigned" : "Assign this tariff"}
        </Button>
        <Button
          data-testid="bill-preview"
          icon={<FileSearchOutlined />}
          disabled={!onThisTariff}
          title={onThisTariff ? undefined : "Assign the tariff to the site first"}
          onClick={() => setPreviewing(siteId)}
        >
          Bill preview for last month
        </Button>
      </Flex>
      {previewing !== null && (
        <div data-testid="bill-preview-result" style={{ marginTop: 16 }}>
          {dirty && (
            <Alert
              type="info"
              showIcon
              style={{ marginBottom: 12 }}
              title="The preview uses the saved tariff: save to see your changes."
            />
          )}
          {bill.isPending ? (
            <Skeleton active paragraph={{ rows: 4 }} />
          ) : unavailable ? (
            <BillUnavailable unavailable={unavailable} canEditTariffs tariffId={tariffId} />
          ) : bill.isError ? (
            <LoadFailed error={bill.error} title="The bill could not be calculated" />
          ) : (
            <>
              <Flex
                justify="space-between"
                align="baseline"
                wrap
                gap={8}
                style={{ marginBottom: 8 }}
              >
                <Typography.Text type="secondary">
                  {site?.name} · {formatBillPeriod(bill.data.start, bill.data.end)}
                </Typography.Text>
                <Typography.Text strong style={{ fontSize: 18 }} data-testid="bill-preview-total">
                  {formatMoney(bill.data.total, bill.data.currency)}
                </Typography.Text>
              </Flex>
              <BillTable bill={bill.data} compact />
              <Link
                to={`/bills?site=${siteId}&month=${month}`}
                style={{ display: "inline-block", marginTop: 8 }}
              >
                Open the full bill
              </Link>
            </>
          )}
        </div>
      )}
    </div>
  );
}
