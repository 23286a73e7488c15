import type {
  Alert,
  AlertDetail,
  AlertRule,
  BacktestResult,
  Channels,
  Delivery,
  Preferences,
} from "../types";

export const aSite = {
  id: 1,
  name: "Centre",
  timezone: "Africa/Johannesburg",
  utility: null,
  address: null,
  tariff_id: 7,
  device_count: 1,
  discrepancy_percent: 5,
  metering: "supply_points",
  created_at: "2026-01-01T00:00:00Z",
};

export const aDevice = {
  id: 7,
  site_id: 1,
  name: "Incomer",
  serial: "SN-7",
  model: null,
  role: "supply_point",
  created_at: "2026-01-01T00:00:00Z",
};

export const anAlert: Alert = {
  id: 12,
  rule_id: 4,
  rule_name: "Main incomer demand",
  kind: "demand_above",
  severity: "critical",
  subject: { kind: "device", id: 7, name: "Incomer" },
  site_id: 1,
  state: "firing",
  value: 412.5,
  threshold: 400,
  unit: "kVA",
  message: "30-minute demand 412.5 kVA above 400 kVA",
  started_at: "2026-07-01T06:25:00Z",
  fired_at: "2026-07-01T06:30:00Z",
  resolved_at: null,
  acknowledged: null,
};

export const anAlertDetail: AlertDetail = {
  ...anAlert,
  events: [
    {
      id: 40,
      event: "fired",
      at: "2026-07-01T06:30:00Z",
      from: "pending",
      to: "firing",
      value: 412.5,
      message: "30-minute demand 412.5 kVA above 400 kVA",
    },
    {
      id: 41,
      event: "acknowledged",
      at: "2026-07-01T06:40:00Z",
      from: "firing",
      to: "firing",
      value: 412.5,
      message: "acknowledged by Ada Admin: on it",
    },
  ],
  acknowledged: { by_user_id: 1, by_name: "Ada Admin", at: "2026-07-01T06:40:00Z", note: "on it" },
};

export const aRule: AlertRule = {
  id: 4,
  name: "Main incomer demand",
  site_id: 1,
  device_id: null,
  virtual_meter_id: null,
  kind: "demand_above",
  severity: "critical",
  enabled: true,
  params: { unit: "auto", threshold: 400, clear_below: 380 },
  for_minutes: 5,
  quiet_hours: {
    timezone: "site",
    windows: [{ days: ["sat", "sun"], start: "00:00", end: "24:00" }],
  },
  created_at: "2026-06-01T00:00:00Z",
  updated_at: "2026-06-01T00:00:00Z",
  firing: 1,
  subject_name: "Centre",
};

export const aBacktest: BacktestResult = {
  fired: 3,
  episodes: [
    {
      started_at: "2026-06-10T08:00:00Z",
      fired_at: "2026-06-10T08:15:00Z",
      resolved_at: "2026-06-10T09:00:00Z",
      peak_value: 430,
      subject_name: "Centre",
    },
  ],
  series: {
    times: ["2026-06-10T07:30:00Z", "2026-06-10T08:00:00Z", "2026-06-10T08:30:00Z"],
    values: [350, 420, null],
    threshold: 400,
    clear: 380,
    unit: "kVA",
  },
};

export const somePreferences: Preferences = {
  email: true,
  severities: ["warning", "critical"],
  site_ids: null,
};

export const someChannels: Channels = {
  smtp: {
    source: "app",
    host: "smtp.example.com",
    port: 587,
    security: "starttls",
    username: "portal",
    password_set: true,
    from_address: "alerts@example.com",
    from_name: "Power Portal",
  },
  webhooks: [
    {
      id: 3,
      name: "Ops chat",
      url: "https://hooks.example.com/portal",
      severities: ["warning", "critical"],
      enabled: true,
      created_at: "2026-06-01T00:00:00Z",
    },
  ],
};

export const aDeadDelivery: Delivery = {
  id: 9,
  channel: "webhook",
  recipient: "https://hooks.example.com/portal",
  alert_id: 12,
  event: "fired",
  status: "dead",
  attempts: 12,
  last_error: "HTTP 500",
  next_attempt_at: "2026-07-02T06:30:00Z",
  created_at: "2026-07-01T06:30:00Z",
  sent_at: null,
};
