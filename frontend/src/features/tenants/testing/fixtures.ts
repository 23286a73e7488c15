import type { MyTenant, Reconciliation, Tenant, TenantBill, TenantMeter } from "../types";

export const aTenant: Tenant = {
  id: 3,
  site_id: 1,
  name: "Grocer",
  reference: "T-001",
  contact_email: "accounts@grocer.example",
  rule: {
    kind: "pass_through",
    apportion: "coincident_demand",
    fixed_share_percent: null,
    tariff_id: null,
    markup_percent: 5,
    markup_cap: 500,
    admin_fee: 150,
  },
  created_at: "2026-06-01T00:00:00Z",
  updated_at: "2026-06-01T00:00:00Z",
};

export const anAssignment: TenantMeter = {
  id: 11,
  tenant_id: 3,
  kind: "device",
  device_id: 5,
  virtual_meter_id: null,
  meter_name: "Grocer sales floor",
  start: "2026-06-01T00:00:00+02:00",
  end: null,
  created_at: "2026-06-01T00:00:00Z",
};

export const aTenantBill: TenantBill = {
  tenant_id: 3,
  tenant_name: "Grocer",
  site_id: 1,
  month: "2026-06",
  currency: "ZAR",
  start: "2026-06-01",
  end: "2026-07-01",
  meters: [
    {
      kind: "device",
      id: 5,
      name: "Grocer sales floor",
      from: "2026-06-01T00:00:00+02:00",
      to: "2026-07-01T00:00:00+02:00",
      opening_kwh: 120345.6,
      closing_kwh: 131002.1,
      energy_kwh: 10656.5,
    },
  ],
  lines: [
    {
      kind: "energy",
      description: "Energy any",
      quantity: 10656.5,
      unit: "kWh",
      rate: 1.5,
      amount: 15984.75,
    },
    {
      kind: "markup",
      description: "Administration mark-up 5 % (capped at 500.00)",
      quantity: 1,
      unit: "bill",
      rate: 500,
      amount: 500,
    },
  ],
  subtotal: 16484.75,
  vat: 2472.71,
  total: 18957.46,
  energy_kwh: 10656.5,
};

export const aReconciliation: Reconciliation = {
  site_id: 1,
  month: "2026-06",
  currency: "ZAR",
  utility: { energy_kwh: 90000, subtotal: 150000, total: 172500 },
  tenants: [
    {
      tenant_id: 3,
      name: "Grocer",
      energy_kwh: 30000,
      recovered_subtotal: 52000,
      recovered_total: 59800,
    },
    {
      tenant_id: 4,
      name: "Bakery",
      energy_kwh: 37000,
      recovered_subtotal: 63500,
      recovered_total: 73025,
    },
  ],
  common_areas: {
    energy_kwh: 20000,
    cost: 30000,
    meters: [{ kind: "device", id: 6, name: "HVAC" }],
  },
  generation: { energy_kwh: 0, meters: [] },
  unmetered: { energy_kwh: 3000, cost: 4500 },
  landlord_share: { cost: 34500 },
  recovered_subtotal: 115500,
  recovery_percent: 77,
  difference: 34500,
};

export const myTenant: MyTenant = { ...aTenant, meters: [anAssignment] };
