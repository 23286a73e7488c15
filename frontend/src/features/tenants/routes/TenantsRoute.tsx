import { Card, Empty, Flex, Select, Skeleton, Tabs, Typography } from "antd";
import { useSearchParams } from "react-router";
import { LoadFailed } from "@/components/resource-page/ResourcePage";
import { useSites } from "@/features/sites";
import { useSiteTenants } from "../api/tenants";
import { MonthPicker } from "../components/MonthPicker";
import { ReconciliationCard } from "../components/ReconciliationCard";
import { TenantBillsCard } from "../components/TenantBillsCard";
import { TenantMetersCard } from "../components/TenantMetersCard";
import { TenantsCard } from "../components/TenantsCard";
import { monthParam } from "../lib/months";

const TABS = ["tenants", "bills", "reconciliation"] as const;
type Tab = (typeof TABS)[number];

/**
 * /tenants?site&tab&month&tenant: a site's tenants with their recharge rules and meters over
 * time, the month's tenant bills, and the reconciliation with the utility bill (admins).
 */
export function TenantsRoute() {
  const [params, setParams] = useSearchParams();
  const sites = useSites();
  const siteParam = Number(params.get("site"));
  const site =
    sites.data?.find((s) => s.id === siteParam) ??
    (params.get("site") ? undefined : sites.data?.[0]);
  const tab: Tab = (TABS as readonly string[]).includes(params.get("tab") ?? "")
    ? (params.get("tab") as Tab)
    : "tenants";
  const month = monthParam(params.get("month"));
  const tenants = useSiteTenants(site?.id);
  const selectedId = Number(params.get("tenant")) || null;
  const selected = tenants.data?.find((t) => t.id === selectedId);

  const update = (changes: Record<string, string | null>) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [k, v] of Object.entries(changes)) {
          if (v === null) next.delete(k);
          else next.set(k, v);
        }
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
      <Card>
        <Empty
          data-testid="tenants-no-site"
          description={
            sites.data.length
              ? "This site does not exist (any more). Pick another one."
              : "No sites yet: tenants belong to a site with meters and a tariff."
          }
        />
      </Card>
    );
  } else {
    body = (
      <Tabs
        activeKey={tab}
        onChange={(key) => update({ tab: key })}
        items={[
          {
            key: "tenants",
            label: <span data-testid="tenants-tab-tenants">Tenants &amp; meters</span>,
            children: (
              <Flex vertical gap={16}>
                <TenantsCard
                  siteId={site.id}
                  selected={selected?.id ?? null}
                  onSelect={(id) => update({ tenant: String(id) })}
                />
                {selected ? (
                  <TenantMetersCard tenant={selected} timeZone={site.timezone} />
                ) : (
                  tenants.data &&
                  tenants.data.length > 0 && (
                    <Typography.Text type="secondary" data-testid="tenants-pick-hint">
                      Pick a tenant to see and change its meters over time.
                    </Typography.Text>
                  )
                )}
              </Flex>
            ),
          },
          {
            key: "bills",
            label: <span data-testid="tenants-tab-bills">Bills</span>,
            children: <TenantBillsCard siteId={site.id} month={month} />,
          },
          {
            key: "reconciliation",
            label: <span data-testid="tenants-tab-reconciliation">Reconciliation</span>,
            children: <ReconciliationCard siteId={site.id} month={month} />,
          },
        ]}
      />
    );
  }

  return (
    <>
      <div style={{ marginBottom: 16 }}>
        <Typography.Title level={2} style={{ margin: 0 }}>
          Tenants
        </Typography.Title>
        <Typography.Text type="secondary">
          Recover the utility bill from tenants by their meters: rules, meters over time, monthly
          bills and the reconciliation.
        </Typography.Text>
      </div>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Flex wrap gap={12} align="center">
          <Select
            data-testid="tenants-site"
            aria-label="Site"
            style={{ minWidth: 240 }}
            placeholder="Site"
            loading={sites.isPending}
            value={site?.id}
            onChange={(id: number) => update({ site: String(id), tenant: null })}
            showSearch={{ optionFilterProp: "label" }}
            options={(sites.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
          />
          <MonthPicker
            testId="tenants-month"
            value={month}
            onChange={(m) => update({ month: m })}
          />
        </Flex>
      </Card>
      {body}
    </>
  );
}
