export { TenantsRoute } from "./routes/TenantsRoute";
export { TenantBillRoute } from "./routes/TenantBillRoute";
export { TenantPortalRoute } from "./routes/TenantPortalRoute";
export { TenantPortalLayout } from "./components/TenantPortalLayout";
export { tenantKeys } from "./api/keys";
export { TENANTS_PATH, tenantBillPath, portalAllows } from "./lib/paths";
export { TenantPicker } from "./components/TenantPicker";
export { useSiteTenants, useTenantsOfSites } from "./api/tenants";
export type { Tenant } from "./types";
