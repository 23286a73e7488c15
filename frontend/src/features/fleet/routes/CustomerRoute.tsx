import { ReloadOutlined } from "@ant-design/icons";
import {
  Alert,
  Breadcrumb,
  Button,
  Card,
  Descriptions,
  Empty,
  Flex,
  Select,
  Typography,
} from "antd";
import { useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { formatDateTimeIn, formatNumber } from "@/components/data-display/format";
import { useNow } from "@/components/data-display/use-now";
import {
  QueryError,
  ResourceNotFound,
  ResourcePage,
} from "@/components/resource-page/ResourcePage";
import { hasRole, useMe } from "@/features/auth";
import { useCustomer, useCustomerEvents, useCustomerSites } from "../api/customers";
import { useCustomerEnergy } from "../api/energy";
import { CustomerActions } from "../components/CustomerActions";
import { CustomerDevicesTable } from "../components/CustomerDevicesTable";
import { CustomerTokenModal } from "../components/CustomerTokenModal";
import { DailyEnergyChart } from "../components/DailyEnergyChart";
import { ActiveTag, FreshnessTag } from "../components/FreshnessTag";
import { IngestEventsTable } from "../components/IngestEventsTable";
import { dayIn, lastDays, timeZoneOptions } from "../lib/days";
import { lastTokenUsed, oldTokenState } from "../lib/tokens";
import type { Customer, CustomerWithToken } from "../types";

/** /fleet/:code: one customer stack — its sites and devices, energy, and recent pushes. */
export function CustomerRoute({ code: fixedCode }: { code?: string } = {}) {
  const params = useParams();
  const code = fixedCode ?? params.code ?? "";
  const customer = useCustomer(code);
  const sites = useCustomerSites(code);
  const events = useCustomerEvents(code);
  const { data: me } = useMe();
  const isAdmin = hasRole(me, "admin");
  const now = useNow();
  const [rotated, setRotated] = useState<CustomerWithToken | null>(null);
  const [chosenZone, setChosenZone] = useState<string | null>(null);

  const siteZones = useMemo(
    () => [...new Set((sites.data ?? []).map((s) => s.timezone))],
    [sites.data],
  );
  // The first site's zone by default; UTC when the customer has no sites (yet).
  const zone =
    chosenZone ?? siteZones[0] ?? (sites.data !== undefined || sites.isError ? "UTC" : undefined);
  const today = dayIn(now, zone ?? "UTC");
  const range = useMemo(() => lastDays(30, Date.parse(`${today}T12:00:00Z`)), [today]);
  const energy = useCustomerEnergy(code, range, zone);
  const zoneOptions = useMemo(
    () => timeZoneOptions(siteZones).map((z) => ({ value: z, label: z })),
    [siteZones],
  );

  const breadcrumb = (
    <Breadcrumb
      style={{ marginBottom: 8 }}
      items={[{ title: <Link to="/fleet">Fleet</Link> }, { title: code }]}
    />
  );

  const page = (current: Customer) => {
    const reload = () =>
      void Promise.all([customer.refetch(), sites.refetch(), events.refetch(), energy.refetch()]);
    return (
      <>
        <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 16 }}>
          <Flex align="center" gap={12} wrap>
            <Typography.Title level={2} style={{ margin: 0 }} data-testid="customer-title">
              {current.name}
            </Typography.Title>
            <Typography.Text code data-testid="customer-code">
              {current.code}
            </Typography.Text>
            <ActiveTag active={current.active} />
            <FreshnessTag at={current.last_seen_at} now={now} />
          </Flex>
          <Flex gap={8} wrap>
            <Button
              icon={<ReloadOutlined />}
              data-testid="customer-refresh"
              loading={customer.isFetching && !customer.isPending}
              onClick={reload}
            >
              Reload
            </Button>
            {isAdmin && <CustomerActions customer={current} onRotated={setRotated} size="middle" />}
          </Flex>
        </Flex>

        {!current.active && (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 16 }}
            title="This customer is deactivated: its pushes are refused (401) until it is activated."
          />
        )}

        <Card style={{ marginBottom: 16 }}>
          <Descriptions
            data-testid="customer-details"
            column={{ xs: 1, md: 2, xl: 4 }}
            size="small"
            items={[
              { key: "sites", label: "Sites", children: formatNumber(current.site_count ?? 0) },
              {
                key: "devices",
                label: "Devices",
                children: formatNumber(current.device_count ?? 0),
              },
              {
                key: "rows",
                label: "Rows in the last 24 h",
                children: formatNumber(current.rows_last_24h ?? 0),
              },
              {
                key: "first_seen",
                label: "First push",
                children: formatDateTimeIn(current.first_seen_at),
              },
              {
                key: "last_seen",
                label: "Last push",
                children: formatDateTimeIn(current.last_seen_at),
              },
              { key: "created", label: "Added", children: formatDateTimeIn(current.created_at) },
              {
                key: "token_used",
                label: "Last push came with",
                children: <span data-testid="customer-token-used">{lastTokenUsed(current)}</span>,
              },
              {
                key: "token_current",
                label: "Current token last used",
                children: formatDateTimeIn(current.token_last_used_at),
              },
              {
                key: "token_previous",
                label: "Old token",
                span: 2,
                children: (
                  <span data-testid="customer-previous-token">{oldTokenState(current)}</span>
                ),
              },
              {
                key: "last_error",
                label: "Last error",
                span: 2,
                children: current.last_error ? (
                  <Typography.Text type="danger">
                    {current.last_error}
                    {current.last_error_at && (
                      <Typography.Text type="secondary">
                        {" "}
                        ({formatDateTimeIn(current.last_error_at)})
                      </Typography.Text>
                    )}
                  </Typography.Text>
                ) : (
                  "—"
                ),
              },
            ]}
          />
        </Card>

        <Card
          title={`Sites and devices (${current.site_count ?? 0} / ${current.device_count ?? 0})`}
          styles={{ body: { padding: 0 } }}
          style={{ marginBottom: 16 }}
        >
          <QueryError query={sites} title="The sites could not be loaded" style={{ margin: 16 }} />
          <CustomerDevicesTable
            sites={sites.data}
            loading={sites.isPending && !sites.isError}
            now={now}
            empty={
              <Empty
                data-testid="customer-sites-empty"
                image={Empty.PRESENTED_IMAGE_SIMPLE}
                description="No sites yet: they appear once the customer's stack pushes them."
              />
            }
          />
        </Card>

        <div style={{ marginBottom: 16 }}>
          <DailyEnergyChart
            title="Energy per day"
            basis={`last 30 days, days in ${zone ?? "…"}, all devices`}
            testId="customer-energy-chart"
            exportId="customer-energy"
            fileName={current.code}
            range={range}
            query={energy}
            emptyText="No energy pushed in the last 30 days"
            extra={
              <Select
                size="small"
                data-testid="customer-energy-timezone"
                aria-label="Time zone of the days"
                style={{ width: 200 }}
                value={zone}
                onChange={setChosenZone}
                showSearch={{ optionFilterProp: "label" }}
                options={zoneOptions}
              />
            }
          />
        </div>

        <Card
          title="Recent pushes"
          extra={
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              the last 50 batches, newest first
            </Typography.Text>
          }
          styles={{ body: { padding: 0 } }}
        >
          <QueryError
            query={events}
            title="The pushes could not be loaded"
            style={{ margin: 16 }}
          />
          <IngestEventsTable
            events={events.data}
            loading={events.isPending && !events.isError}
            now={now}
            empty={
              <Empty
                data-testid="ingest-events-empty"
                image={Empty.PRESENTED_IMAGE_SIMPLE}
                description={
                  "Nothing pushed yet. Put the token in the customer stack's " +
                  "PORTAL_FLEET__CUSTOMER_TOKEN."
                }
              />
            }
          />
        </Card>

        {rotated && (
          <CustomerTokenModal
            customer={rotated}
            reason="rotated"
            onClose={() => setRotated(null)}
          />
        )}
      </>
    );
  };

  return (
    <ResourcePage
      query={customer}
      header={breadcrumb}
      failure={(error) => (
        <ResourceNotFound
          error={error}
          testId="customer-not-found"
          notFound={{
            title: "Customer not found",
            detail: `There is no customer with code ${code}.`,
          }}
          errorTitle="The customer could not be loaded"
          back={<Link to="/fleet">Back to the fleet</Link>}
        />
      )}
    >
      {page}
    </ResourcePage>
  );
}
