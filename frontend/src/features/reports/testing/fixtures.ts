import type { Run, Schedule, SiteReport } from "../types";

export const aSite = {
  id: 1,
  name: "Centre",
  timezone: "Africa/Johannesburg",
  utility: null,
  address: null,
  tariff_id: 7,
  device_count: 2,
  discrepancy_percent: 5,
  metering: "supply_points" as const,
  created_at: "2026-01-01T00:00:00Z",
};

export const aTenant = {
  id: 3,
  site_id: 1,
  name: "Grocer",
  reference: "T-001",
  contact_email: null,
  rule: {
    kind: "pass_through" as const,
    apportion: "energy" as const,
    markup_percent: 0,
    admin_fee: 0,
  },
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
};

/** November 2026 of the contract's example (docs/api/reports.md). */
export const aReport: SiteReport = {
  site_id: 1,
  site_name: "Centre",
  timezone: "Africa/Johannesburg",
  currency: "ZAR",
  period: "month",
  label: "2026-11",
  start: "2026-11-01",
  end: "2026-12-01",
  energy_import_kwh: 41234.5,
  energy_export_kwh: 0,
  subtotal: 98765.43,
  vat: 14814.81,
  total: 113580.24,
  no_cost_reason: null,
  by_period: [{ season: "high", period: "peak", energy_kwh: 8123.4, amount: 32100.1 }],
  peak_demand: { value: 312.4, unit: "kVA", at: "2026-11-14T10:30:00+02:00" },
  power_factor: { average: 0.94, minimum: 0.81 },
  days: [{ date: "2026-11-01", energy_kwh: 1302.2, cost: 3120.55 }],
  comparisons: [
    {
      label: "Previous month",
      start: "2026-10-01",
      end: "2026-11-01",
      energy_import_kwh: 40012,
      total: 110200,
      peak_demand: 305,
      energy_change_percent: 3.05,
    },
  ],
  completeness: {
    percent: 99.3,
    expected_buckets: 2880,
    present_buckets: 2860,
    gaps: [
      {
        device_id: 3,
        device_name: "Incomer",
        start: "2026-11-09T02:00:00+02:00",
        end: "2026-11-09T07:00:00+02:00",
      },
    ],
  },
  alerts: [],
};

export const aSchedule: Schedule = {
  id: 5,
  name: "Monthly pack for finance",
  site_id: 1,
  tenant_id: null,
  cadence: "monthly",
  day_of_month: 3,
  weekday: null,
  local_time: "07:00:00",
  contents: ["report", "bill"],
  recipients: ["finance@example.com"],
  enabled: true,
  created_at: "2026-11-20T08:00:00Z",
  next_due_at: "2027-01-03T07:00:00+02:00",
  last_run_at: null,
};

export const aRun: Run = {
  id: 8,
  schedule_id: 5,
  schedule_name: "Monthly pack for finance",
  site_id: 1,
  site_name: "Centre",
  tenant_id: null,
  period: "month",
  label: "2026-11",
  start: "2026-11-01",
  end: "2026-12-01",
  trigger: "manual",
  requested_by: "admin@localhost",
  created_at: "2026-12-03T08:00:00Z",
  notes: [],
  files: [
    {
      id: 21,
      filename: "site-report-centre-2026-11.pdf",
      media_type: "application/pdf",
      size_bytes: 182_400,
    },
    {
      id: 22,
      filename: "bill-centre-2026-11.pdf",
      media_type: "application/pdf",
      size_bytes: 61_200,
    },
  ],
  deliveries: [
    {
      recipient: "finance@example.com",
      status: "sent",
      attempts: 1,
      sent_at: "2026-12-03T08:00:05Z",
      last_error: null,
    },
  ],
};
