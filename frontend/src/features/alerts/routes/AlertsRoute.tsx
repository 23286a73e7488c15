import { SettingOutlined } from "@ant-design/icons";
import { Card, DatePicker, Flex, Segmented, Select, Typography } from "antd";
import dayjs from "dayjs";
import type { Dayjs } from "dayjs";
import { useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { QueryError } from "@/components/resource-page/ResourcePage";
import { useSites } from "@/features/sites";
import { useAlerts } from "../api/alerts";
import { AcknowledgeModal } from "../components/AcknowledgeModal";
import { AlertsTable } from "../components/AlertsTable";
import {
  ALERT_TAB_EMPTY,
  ALERT_TAB_LABELS,
  ALERT_TABS,
  alertFiltersFromParams,
  hasFilters,
  NOTIFICATION_SETTINGS_PATH,
} from "../lib/alerts";
import type { AlertTab } from "../lib/alerts";
import { SEVERITIES, SEVERITY_LABELS } from "../lib/severity";
import type { Alert } from "../types";

/**
 * /alerts?tab&site&severity&since&until: the alerts firing (not acknowledged), the
 * acknowledged ones still firing, and the history of resolved ones; click one for its
 * timeline, acknowledge a firing one.
 */
export function AlertsRoute() {
  const [params, setParams] = useSearchParams();
  const { tab, filters } = alertFiltersFromParams(params);
  const alerts = useAlerts(filters);
  const sites = useSites();
  const [acknowledging, setAcknowledging] = useState<Alert | null>(null);
  const siteNames = useMemo(
    () => new Map((sites.data ?? []).map((s) => [s.id, s.name])),
    [sites.data],
  );

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

  const range: [Dayjs, Dayjs] | null =
    filters.since && filters.until
      ? [dayjs(filters.since), dayjs(filters.until).subtract(1, "day")]
      : null;

  return (
    <>
      <Flex justify="space-between" align="flex-start" wrap gap={8} style={{ marginBottom: 16 }}>
        <div>
          <Typography.Title level={2} style={{ margin: 0 }}>
            Alerts
          </Typography.Title>
          <Typography.Text type="secondary">
            What the alert rules found: acknowledge an alert to say someone is on it.
          </Typography.Text>
        </div>
        <Link to={NOTIFICATION_SETTINGS_PATH} data-testid="alerts-preferences-link">
          <SettingOutlined /> My notifications
        </Link>
      </Flex>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Flex wrap gap={12} align="center">
          <Segmented<AlertTab>
            data-testid="alerts-tabs"
            value={tab}
            onChange={(value) => update({ tab: value === "firing" ? null : value })}
            options={ALERT_TABS.map((t) => ({
              value: t,
              label: <span data-testid={`alerts-tab-${t}`}>{ALERT_TAB_LABELS[t]}</span>,
            }))}
          />
          <Select
            data-testid="alerts-site"
            aria-label="Site"
            allowClear
            placeholder="Every site"
            style={{ minWidth: 200 }}
            loading={sites.isPending}
            value={filters.site_id}
            onChange={(id?: number) => update({ site: id ? String(id) : null })}
            showSearch={{ optionFilterProp: "label" }}
            options={(sites.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
          />
          <Select
            data-testid="alerts-severity"
            aria-label="Severity"
            allowClear
            placeholder="Every severity"
            style={{ minWidth: 160 }}
            value={filters.severity}
            onChange={(severity?: string) => update({ severity: severity ?? null })}
            options={SEVERITIES.map((s) => ({ value: s, label: SEVERITY_LABELS[s] }))}
          />
          <DatePicker.RangePicker
            data-testid="alerts-range"
            aria-label="Since and until"
            allowEmpty={[false, false]}
            value={range}
            onChange={(days) =>
              update(
                days?.[0] && days[1]
                  ? {
                      since: days[0].startOf("day").format(),
                      until: days[1].add(1, "day").startOf("day").format(),
                    }
                  : { since: null, until: null },
              )
            }
          />
        </Flex>
      </Card>
      <QueryError query={alerts} title="The alerts could not be loaded" testId="alerts-error" />
      <AlertsTable
        alerts={alerts.data}
        loading={alerts.isPending}
        siteNames={siteNames}
        emptyText={hasFilters(filters) ? "No alerts match these filters." : ALERT_TAB_EMPTY[tab]}
        onAcknowledge={setAcknowledging}
      />
      {acknowledging && (
        <AcknowledgeModal alert={acknowledging} onClose={() => setAcknowledging(null)} />
      )}
    </>
  );
}
