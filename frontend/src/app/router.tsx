import { createBrowserRouter, Navigate } from "react-router";
import type { RouteObject } from "react-router";
import { RouteErrorBoundary } from "@/components/errors/RouteErrorBoundary";
import { LoginRoute, RequireAuth, RequireRole } from "@/features/auth";
import { NotFoundRoute } from "@/features/misc";
import { SettingsIndexRoute, SettingsLayoutRoute } from "@/features/settings";
import { SiteDetailRoute, SitesRoute } from "@/features/sites";
import { BillsRoute } from "@/features/billing";
import { CustomerRoute, FleetRoute, PushStateRoute, RequireRunMode } from "@/features/fleet";
import { TariffEditorRoute, TariffsRoute } from "@/features/tariffs";
import { UsersRoute } from "@/features/users";
import { BrandingRoute } from "@/features/branding";
import { AppConfigRoute } from "@/features/app-config";
import { DashboardsRoute, GrafanaSettingsRoute } from "@/features/grafana";
import { TenantBillRoute, TenantsRoute } from "@/features/tenants";
import {
  AlertDetailRoute,
  AlertRulesRoute,
  AlertsRoute,
  NotificationsRoute,
} from "@/features/alerts";
import { ReportsRoute } from "@/features/reports";
import { RoleHome, RoleShell } from "./layout/RoleShell";

export const paths = {
  home: "/",
  login: "/login",
  sites: "/sites",
  settings: "/settings",
  settingsUsers: "/settings/users",
} as const;

/** Route table, shared by the browser router and tests (memory router). */
export const routes: RouteObject[] = [
  {
    path: paths.login,
    element: <LoginRoute />,
    errorElement: <RouteErrorBoundary />,
  },
  {
    path: "/",
    element: (
      <RequireAuth>
        <RoleShell />
      </RequireAuth>
    ),
    errorElement: <RouteErrorBoundary />,
    children: [
      { index: true, element: <RoleHome /> },
      { path: "sites", element: <SitesRoute /> },
      { path: "sites/:siteId", element: <SiteDetailRoute /> },
      { path: "bills", element: <BillsRoute /> },
      {
        path: "alerts",
        element: (
          <RequireRole role="viewer">
            <AlertsRoute />
          </RequireRole>
        ),
      },
      {
        path: "alerts/:alertId",
        element: (
          <RequireRole role="viewer">
            <AlertDetailRoute />
          </RequireRole>
        ),
      },
      {
        path: "tenants",
        element: (
          <RequireRole role="admin">
            <TenantsRoute />
          </RequireRole>
        ),
      },
      {
        path: "reports",
        element: (
          <RequireRole role="admin">
            <ReportsRoute />
          </RequireRole>
        ),
      },
      // an admin's, or a tenant user's own (another tenant's: "not found", as the API answers)
      { path: "tenants/:tenantId/bill", element: <TenantBillRoute /> },
      { path: "dashboards", element: <DashboardsRoute /> },
      {
        path: "fleet",
        element: (
          <RequireRunMode mode="admin">
            <FleetRoute />
          </RequireRunMode>
        ),
      },
      { path: "fleet/push", element: <PushStateRoute /> },
      {
        path: "fleet/:code",
        element: (
          <RequireRunMode mode="admin">
            <CustomerRoute />
          </RequireRunMode>
        ),
      },
      {
        path: "settings",
        element: <SettingsLayoutRoute />,
        children: [
          { index: true, element: <SettingsIndexRoute /> },
          {
            // Each settings tab is a route guarded by its role (features/settings/config/tabs.ts).
            path: "users",
            element: (
              <RequireRole role="admin">
                <UsersRoute />
              </RequireRole>
            ),
          },
          {
            path: "rates",
            element: <RequireRole role="admin" />,
            children: [
              { index: true, element: <TariffsRoute /> },
              { path: "new", element: <TariffEditorRoute /> },
              { path: ":tariffId", element: <TariffEditorRoute /> },
            ],
          },
          {
            path: "alerts",
            element: (
              <RequireRole role="admin">
                <AlertRulesRoute />
              </RequireRole>
            ),
          },
          {
            path: "notifications",
            element: (
              <RequireRole role="viewer">
                <NotificationsRoute />
              </RequireRole>
            ),
          },
          {
            path: "branding",
            element: (
              <RequireRole role="admin">
                <BrandingRoute />
              </RequireRole>
            ),
          },
          {
            path: "grafana",
            element: (
              <RequireRole role="admin">
                <GrafanaSettingsRoute />
              </RequireRole>
            ),
          },
          {
            path: "app-config",
            element: (
              <RequireRole role="admin">
                <AppConfigRoute />
              </RequireRole>
            ),
          },
          { path: "*", element: <Navigate to={paths.settings} replace /> },
        ],
      },
      { path: "*", element: <NotFoundRoute /> },
    ],
  },
];

/**
 * Every route's full path pattern ("/sites/:siteId", "/settings/rates/new", "/*"), in route
 * table order: an index route is its parent's path, a pathless layout route adds nothing.
 * `routes.json` next to this file is this list, checked in; `router.test.tsx` fails when they
 * differ, and the accessibility e2e test (tests/e2e/test_accessibility_ui.py) audits every
 * path in it, so a new page cannot be left out.
 */
export function routePaths(table: readonly RouteObject[] = routes, parent = ""): string[] {
  const found: string[] = [];
  for (const route of table) {
    const here = route.path
      ? route.path.startsWith("/")
        ? route.path
        : `${parent.replace(/\/$/, "")}/${route.path}`
      : parent || "/";
    if (route.index || route.path) found.push(here);
    if (route.children) found.push(...routePaths(route.children, here));
  }
  return [...new Set(found)];
}

export function createAppRouter() {
  return createBrowserRouter(routes);
}
