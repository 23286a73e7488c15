import { DashboardRoute } from "@/features/dashboard";
import { isTenantUser, useMe } from "@/features/auth";
import { TenantPortalLayout, TenantPortalRoute } from "@/features/tenants";
import { AppLayout } from "./AppLayout";

/** The signed-in shell: a tenant user gets its portal, everyone else the app. */
export function RoleShell() {
  const { data: user } = useMe();
  return isTenantUser(user) ? <TenantPortalLayout /> : <AppLayout />;
}

/** "/": a tenant user's portal, everyone else's dashboard. */
export function RoleHome() {
  const { data: user } = useMe();
  return isTenantUser(user) ? <TenantPortalRoute /> : <DashboardRoute />;
}
