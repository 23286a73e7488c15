import { Alert, Button, Card, Col, Empty, Flex, Row, Skeleton, Typography } from "antd";
import { useMemo } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useNow } from "@/components/data-display/use-now";
import { LoadFailed } from "@/components/resource-page/ResourcePage";
import { hasRole, useMe } from "@/features/auth";
import { DailyCostChart, MonthCostCard } from "@/features/billing";
import { HealthCard } from "@/features/health";
import { NoSitesYet, useSiteDevices, useSites } from "@/features/sites";
import type { Device, Site } from "@/features/sites";
import { useVirtualMeters } from "@/features/virtual-meters";
import type { VirtualMeter } from "@/features/virtual-meters";
import {
  ALL_DEVICES,
  RangeControls,
  ScopePickers,
  VIRTUAL_PREFIX,
} from "../components/DashboardFilters";
import { EnergyChart } from "../components/EnergyChart";
import { HeatmapChart } from "../components/HeatmapChart";
import { KpiCards } from "../components/KpiCards";
import { PowerChart } from "../components/PowerChart";
import { formatRange, resolveRange, todayIn } from "../lib/date-range";
import type { PresetKey } from "../lib/date-range";
import type { ChartMeter, Scope } from "../types";

function Header({ subtitle }: { subtitle?: string }) {
  return (
    <div style={{ marginBottom: 16 }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        Dashboard
      </Typography.Title>
      {subtitle && (
        <Typography.Text type="secondary" data-testid="dashboard-subtitle">
          {subtitle}
        </Typography.Text>
      )}
    </div>
  );
}

function SystemStatus() {
  return (
    <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
      <Col xs={24} md={12} xl={8}>
        <HealthCard />
      </Col>
    </Row>
  );
}

type SiteDashboardProps = {
  sites: Site[];
  site: Site;
};

/** The dashboard of one site: filters, KPIs and charts. State lives in the URL. */
function SiteDashboard({ sites, site }: SiteDashboardProps) {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const { data: me } = useMe();
  const devicesQuery = useSiteDevices(site.id);
  const virtualMetersQuery = useVirtualMeters(site.id);
  const now = useNow(30_000);
  const today = todayIn(site.timezone, now);
  const selection = resolveRange(
    { range: params.get("range"), from: params.get("from"), to: params.get("to") },
    today,
  );
  const compare = params.get("compare") === "1";

  const devices = useMemo(() => devicesQuery.data ?? [], [devicesQuery.data]);
  const virtualMeters = useMemo(() => virtualMetersQuery.data ?? [], [virtualMetersQuery.data]);
  const deviceParam = params.get("device") ?? ALL_DEVICES;
  const device: Device | undefined = devices.find((d) => String(d.id) === deviceParam);
  const virtualMeter: VirtualMeter | undefined = virtualMeters.find(
    (m) => `${VIRTUAL_PREFIX}${m.id}` === deviceParam,
  );
  const shownMeters = useMemo<ChartMeter[]>(() => {
    if (virtualMeter) return [{ id: virtualMeter.id, name: virtualMeter.name, virtual: true }];
    return device ? [device] : devices;
  }, [device, devices, virtualMeter]);
  const picked = virtualMeter ?? device;
  const scope: Scope = virtualMeter
    ? { kind: "virtual", id: virtualMeter.id }
    : device
      ? { kind: "device", id: device.id }
      : { kind: "site", id: site.id };
  const scopeName = picked ? `${site.name} ${picked.name}` : site.name;
  const pickerValue = virtualMeter
    ? `${VIRTUAL_PREFIX}${virtualMeter.id}`
    : device
      ? String(device.id)
      : ALL_DEVICES;

  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) next.delete(key);
      else next.set(key, value);
    }
    setParams(next);
  };

  const pickers = (
    <ScopePickers
      sites={sites}
      site={site}
      devices={devices}
      virtualMeters={virtualMeters}
      device={pickerValue}
      onSite={(id) => update({ site: String(id), device: null })}
      onDevice={(value) => update({ device: value === ALL_DEVICES ? null : value })}
    />
  );
  const rangeControls = (
    <RangeControls
      selection={selection}
      onPreset={(preset: PresetKey) => update({ range: preset, from: null, to: null })}
      onCustom={(from, to) => update({ range: "custom", from, to })}
    />
  );

  const whole = site.metering === "supply_points" ? "supply points" : "all devices";
  const subtitle = `${site.name} · ${picked ? picked.name : whole} · ${formatRange(selection.range)} (${site.timezone})`;

  let body;
  if (devicesQuery.isError) {
    body = <LoadFailed error={devicesQuery.error} title="The site's devices could not be loaded" />;
  } else if (devicesQuery.isPending) {
    body = <Skeleton active paragraph={{ rows: 8 }} />;
  } else if (devices.length === 0) {
    body = (
      <Card>
        <Empty
          data-testid="dashboard-no-devices"
          description={
            <Flex vertical gap={4} align="center">
              <Typography.Text strong>{site.name} has no devices yet</Typography.Text>
              <Typography.Text type="secondary">
                {hasRole(me, "admin")
                  ? "Add the site's meters and issue each one a token so it can send readings."
                  : "An administrator adds the site's meters on the Sites page."}
              </Typography.Text>
            </Flex>
          }
        >
          <Button type="primary" onClick={() => void navigate(`/sites/${site.id}`)}>
            Open {site.name}
          </Button>
        </Empty>
      </Card>
    );
  } else {
    body = (
      <Flex vertical gap={16}>
        {site.metering === "all_devices" && devices.length > 1 && !picked && (
          <Alert
            type="info"
            showIcon
            data-testid="dashboard-all-devices"
            title={
              <>
                {site.name} has no supply point: its totals add all {devices.length} devices, so a
                sub-meter below another meter is counted twice.{" "}
                <Link to={`/sites/${site.id}`}>Mark the supply point</Link>
              </>
            }
          />
        )}
        <KpiCards
          scope={scope}
          range={selection.range}
          today={today}
          timeZone={site.timezone}
          now={now}
        />
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={8}>
            <MonthCostCard siteId={site.id} />
          </Col>
          <Col xs={24} xl={16}>
            <DailyCostChart
              siteId={site.id}
              start={selection.range.start}
              end={selection.range.end}
            />
          </Col>
        </Row>
        <PowerChart
          siteName={site.name}
          timeZone={site.timezone}
          devices={shownMeters}
          single={picked !== undefined}
          range={selection.range}
          now={now}
        />
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={12}>
            <EnergyChart
              scope={scope}
              scopeName={scopeName}
              range={selection.range}
              today={today}
              compare={compare}
              onCompareChange={(on) => update({ compare: on ? "1" : null })}
            />
          </Col>
          <Col xs={24} xl={12}>
            <HeatmapChart
              scope={scope}
              scopeName={scopeName}
              range={selection.range}
              today={today}
            />
          </Col>
        </Row>
      </Flex>
    );
  }

  return (
    <>
      <Flex justify="space-between" align="flex-start" wrap gap={12}>
        <Header subtitle={subtitle} />
        {pickers}
      </Flex>
      <div style={{ marginBottom: 16 }}>{rangeControls}</div>
      {body}
    </>
  );
}

/** `/`: the energy dashboard of a site (the first one unless `?site=` says otherwise). */
export function DashboardRoute() {
  const sites = useSites();
  const [params] = useSearchParams();
  const { data: me } = useMe();
  const navigate = useNavigate();

  let content;
  if (sites.isError) {
    content = (
      <>
        <Header />
        <LoadFailed
          error={sites.error}
          testId="dashboard-error"
          title="The sites could not be loaded"
        />
      </>
    );
  } else if (sites.isPending) {
    content = (
      <>
        <Header />
        <Skeleton active paragraph={{ rows: 8 }} />
      </>
    );
  } else if (sites.data.length === 0) {
    content = (
      <>
        <Header />
        <Card data-testid="dashboard-empty">
          <NoSitesYet isAdmin={hasRole(me, "admin")} onCreate={() => void navigate("/sites")} />
        </Card>
      </>
    );
  } else {
    const sorted = [...sites.data].sort((a, b) => a.name.localeCompare(b.name));
    const wanted = Number(params.get("site"));
    const site = sorted.find((s) => s.id === wanted) ?? sorted[0]!;
    content = <SiteDashboard key={site.id} sites={sorted} site={site} />;
  }

  return (
    <>
      {content}
      <SystemStatus />
    </>
  );
}
