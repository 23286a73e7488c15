import { PrinterOutlined, ReloadOutlined } from "@ant-design/icons";
import { Button, Card, DatePicker, Empty, Flex, Select, Skeleton, Tooltip, Typography } from "antd";
import dayjs from "dayjs";
import { useEffect } from "react";
import { useSearchParams } from "react-router";
import { DownloadButtons } from "@/components/downloads/DownloadButtons";
import { LoadFailed } from "@/components/resource-page/ResourcePage";
import { hasRole, useMe } from "@/features/auth";
import { useSites } from "@/features/sites";
import { billDownloads, useBill } from "../api/billing";
import { useTariffNames } from "../api/tariff-names";
import { BillDocument } from "../components/BillDocument";
import { BillUnavailable } from "../components/BillUnavailable";
import { DailyCostChart } from "../components/DailyCostChart";
import {
  billUnavailable,
  currentMonth,
  formatMonth,
  isMonth,
  lastFullMonth,
  monthSpan,
} from "../lib/format";
import "../bill-print.css";

/** While the page is open, printing leaves the app chrome off (see bill-print.css). */
function usePrintClass(className: string) {
  useEffect(() => {
    document.body.classList.add(className);
    return () => document.body.classList.remove(className);
  }, [className]);
}

/** /bills: a site's monthly bill, to read, download (CSV, PDF, Excel) or print. */
export function BillsRoute() {
  usePrintClass("print-bill");
  const [params, setParams] = useSearchParams();
  const { data: me } = useMe();
  const sites = useSites();
  const tariffs = useTariffNames();

  const siteParam = Number(params.get("site"));
  const site =
    sites.data?.find((s) => s.id === siteParam) ??
    (params.get("site") ? undefined : sites.data?.[0]);
  const month = isMonth(params.get("month")) ? params.get("month")! : lastFullMonth();
  const { start, end } = monthSpan(month);
  const bill = useBill(site?.id ?? null, start, end);
  const unavailable = billUnavailable(bill.error);
  const tariffName = tariffs.data?.find((t) => t.id === site?.tariff_id)?.name;

  const update = (changes: Record<string, string>) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [k, v] of Object.entries(changes)) next.set(k, v);
        return next;
      },
      { replace: true },
    );

  let body;
  if (sites.isPending) {
    body = <Skeleton active paragraph={{ rows: 8 }} />;
  } else if (sites.isError) {
    body = <LoadFailed error={sites.error} title="The sites could not be loaded" />;
  } else if (!site) {
    body = (
      <Empty
        data-testid="bills-no-site"
        description={
          sites.data.length
            ? "This site does not exist (any more). Pick another one."
            : "No sites yet: a bill needs a site with meters and a tariff."
        }
      />
    );
  } else if (bill.isPending) {
    body = <Skeleton active paragraph={{ rows: 10 }} data-testid="bill-loading" />;
  } else if (unavailable) {
    body = (
      <BillUnavailable
        unavailable={unavailable}
        canEditTariffs={hasRole(me, "admin")}
        tariffId={site.tariff_id}
      />
    );
  } else if (bill.isError) {
    body = (
      <LoadFailed error={bill.error} testId="bill-error" title="The bill could not be calculated" />
    );
  } else {
    body = <BillDocument bill={bill.data} siteName={site.name} tariffName={tariffName} />;
  }

  const ready = Boolean(site && bill.data && !bill.isError);
  return (
    <>
      <div className="no-print" style={{ marginBottom: 16 }}>
        <Typography.Title level={2} style={{ margin: 0 }}>
          Bills
        </Typography.Title>
        <Typography.Text type="secondary">
          What a site&apos;s electricity costs under its tariff, month by month, from the metered
          readings.
        </Typography.Text>
      </div>
      <Card className="no-print" size="small" style={{ marginBottom: 16 }}>
        <Flex wrap gap={12} align="center" justify="space-between">
          <Flex wrap gap={12} align="center">
            <Select
              data-testid="bill-site"
              aria-label="Site"
              style={{ minWidth: 240 }}
              placeholder="Site"
              loading={sites.isPending}
              value={site?.id}
              onChange={(id: number) => update({ site: String(id) })}
              showSearch={{ optionFilterProp: "label" }}
              options={(sites.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
            />
            <DatePicker
              data-testid="bill-month"
              aria-label="Month"
              picker="month"
              allowClear={false}
              value={dayjs(`${month}-01`)}
              format="MMMM YYYY"
              disabledDate={(d) => d.format("YYYY-MM") > currentMonth()}
              onChange={(d) => d && update({ month: d.format("YYYY-MM") })}
            />
            {month === currentMonth() && (
              <Typography.Text type="secondary" data-testid="bill-month-to-date">
                {formatMonth(month)} so far (fixed charges for the whole month)
              </Typography.Text>
            )}
          </Flex>
          <Flex wrap gap={8}>
            <Tooltip title="Recalculate">
              <Button
                icon={<ReloadOutlined />}
                aria-label="Recalculate"
                data-testid="bill-refresh"
                disabled={!site}
                loading={bill.isFetching && !bill.isPending}
                onClick={() => void bill.refetch()}
              />
            </Tooltip>
            <DownloadButtons
              what="the bill"
              downloads={site ? billDownloads(site.id, start, end) : []}
              disabled={!ready}
            />
            <Button
              data-testid="bill-print"
              type="primary"
              icon={<PrinterOutlined />}
              disabled={!ready}
              onClick={() => window.print()}
            >
              Print
            </Button>
          </Flex>
        </Flex>
      </Card>
      <Card className="bill-card">{body}</Card>
      {site && ready && (
        <div className="no-print" style={{ marginTop: 16 }}>
          <DailyCostChart siteId={site.id} start={start} end={end} />
        </div>
      )}
    </>
  );
}
