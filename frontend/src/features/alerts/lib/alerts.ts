/** The alerts page: its tabs and filters (in the URL), and how an alert's figures read. */
import type { AlertListFilters } from "../api/keys";
import type { Alert } from "../types";
import { isSeverity } from "./severity";

export const ALERT_TABS = ["firing", "acknowledged", "history"] as const;
export type AlertTab = (typeof ALERT_TABS)[number];

export const ALERT_TAB_LABELS: Record<AlertTab, string> = {
  firing: "Firing",
  acknowledged: "Acknowledged",
  history: "History",
};

/** What each tab asks the API for. */
const TAB_STATES: Record<AlertTab, AlertListFilters["state"]> = {
  firing: "firing",
  acknowledged: "acknowledged",
  history: "resolved",
};

/** When the tab has nothing (with no filter set). */
export const ALERT_TAB_EMPTY: Record<AlertTab, string> = {
  firing: "No alerts firing — all quiet",
  acknowledged: "No acknowledged alerts: nobody is looking into one right now",
  history: "No resolved alerts yet",
};

/** The tab and the API filters of /alerts?tab&site&severity&since&until. */
export function alertFiltersFromParams(params: URLSearchParams): {
  tab: AlertTab;
  filters: AlertListFilters;
} {
  const tabParam = params.get("tab");
  const tab: AlertTab = (ALERT_TABS as readonly string[]).includes(tabParam ?? "")
    ? (tabParam as AlertTab)
    : "firing";
  const filters: AlertListFilters = { state: TAB_STATES[tab] };
  const site = Number(params.get("site"));
  if (Number.isInteger(site) && site > 0) filters.site_id = site;
  const severity = params.get("severity");
  if (isSeverity(severity)) filters.severity = severity;
  for (const key of ["since", "until"] as const) {
    const value = params.get(key);
    if (value && !Number.isNaN(Date.parse(value))) filters[key] = value;
  }
  return { tab, filters };
}

/** Whether any filter beyond the tab is set (the empty state then says so). */
export function hasFilters(filters: AlertListFilters): boolean {
  return Boolean(filters.site_id || filters.severity || filters.since || filters.until);
}

const VALUE_FORMATS = [1, 2, 3].map(
  (digits) => new Intl.NumberFormat(undefined, { maximumFractionDigits: digits }),
);

/** "412.5 kVA", "0.85", "1,250.4 kWh": fewer decimals as numbers grow; "—" without a value. */
export function formatValue(value: number | null | undefined, unit: string | null | undefined) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const abs = Math.abs(value);
  const number = VALUE_FORMATS[abs >= 10 ? 0 : abs >= 1 ? 1 : 2]!.format(value);
  return unit ? `${number} ${unit}` : number;
}

/** "412.5 kVA (threshold 400 kVA)", "412.5 kVA", or "—". */
export function valueVsThreshold(alert: Pick<Alert, "value" | "threshold" | "unit">): string {
  const value = formatValue(alert.value, alert.unit);
  if (alert.threshold === null || alert.threshold === undefined) return value;
  return `${value} (threshold ${formatValue(alert.threshold, alert.unit)})`;
}

/** The alert's state as people say it: firing, acknowledged (still firing) or resolved. */
export function alertStateLabel(alert: Pick<Alert, "state" | "acknowledged">): string {
  if (alert.state === "resolved") return "Resolved";
  return alert.acknowledged ? "Acknowledged" : "Firing";
}

export function alertPath(alertId: number): string {
  return `/alerts/${alertId}`;
}

export const ALERTS_PATH = "/alerts";

/** Settings → Notifications (the user's own preferences). */
export const NOTIFICATION_SETTINGS_PATH = "/settings/notifications";
