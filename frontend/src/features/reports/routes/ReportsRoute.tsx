import { Typography } from "antd";
import { useSearchParams } from "react-router";
import { LoadFailed } from "@/components/resource-page/ResourcePage";
import { useSites } from "@/features/sites";
import { RunsCard } from "../components/RunsCard";
import { SchedulesCard } from "../components/SchedulesCard";
import { SiteReportCard } from "../components/SiteReportCard";
import { isMonth, lastMonth } from "../lib/periods";

/**
 * /reports?site&month (admin): a site's monthly report (its key figures and the PDF), the
 * schedules that mail reports and bills, and what was sent.
 */
export function ReportsRoute() {
  const [params, setParams] = useSearchParams();
  const sites = useSites();
  const siteParam = Number(params.get("site"));
  const site =
    sites.data?.find((s) => s.id === siteParam) ??
    (params.get("site") ? undefined : sites.data?.[0]);
  const monthParam = params.get("month");
  const month = isMonth(monthParam) ? monthParam : lastMonth();

  const update = (changes: Record<string, string>) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [k, v] of Object.entries(changes)) next.set(k, v);
        return next;
      },
      { replace: true },
    );

  return (
    <>
      <div style={{ marginBottom: 16 }}>
        <Typography.Title level={2} style={{ margin: 0 }}>
          Reports
        </Typography.Title>
        <Typography.Text type="secondary">
          A site&apos;s month at a glance, as a PDF to share; and reports and bills mailed on a
          schedule.
        </Typography.Text>
      </div>
      {sites.isError ? (
        <LoadFailed
          error={sites.error}
          title="The sites could not be loaded"
          testId="reports-sites-error"
          style={{ marginBottom: 16 }}
        />
      ) : (
        <SiteReportCard
          sites={sites.data}
          sitesLoading={sites.isPending}
          site={site}
          month={month}
          onSite={(id) => update({ site: String(id) })}
          onMonth={(m) => update({ month: m })}
        />
      )}
      <SchedulesCard sites={sites.data ?? []} defaultSiteId={site?.id} />
      <RunsCard sites={sites.data ?? []} />
    </>
  );
}
