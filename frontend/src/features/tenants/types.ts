import type { Schemas } from "@/api/types";

export type RechargeRule = Schemas["Rule"];
export type RuleKind = RechargeRule["kind"];
export type Apportion = NonNullable<RechargeRule["apportion"]>;
export type Tenant = Schemas["TenantRead"];
export type TenantWrite = Schemas["TenantWrite"];
export type TenantUpdate = Schemas["TenantUpdate"];
export type TenantMeter = Schemas["AssignmentRead"];
export type TenantMeterCreate = Schemas["AssignmentWrite"];
export type MeterKind = TenantMeter["kind"];
export type TenantBill = Schemas["TenantBill"];
export type TenantBillLine = Schemas["TenantBillLine"];
export type TenantBillMeter = Schemas["TenantBillMeter"];
export type Reconciliation = Schemas["Reconciliation"];

/** GET /api/me/tenant: the signed-in tenant user's tenant with its current and past meters. */
export type MyTenant = Schemas["TenantWithMeters"];
