import { createBrowserRouter, Navigate } from "react-router";
import type { RouteObject } from "react-router";
import { RouteErrorBoundary } from "@/components/errors/RouteErrorBoundary";
import { AppLayout } from "@/components/layout/AppLayout";
import { LoginRoute, RequireAuth, RequireRole } from "@/features/auth";
import { DashboardRoute } from "@/features/dashboard";
import { NotFoundRoute } from "@/features/misc/routes/NotFoundRoute";
import { SettingsIndexRoute, SettingsLayoutRoute } from "@/features/settings";
import { SiteDetailRoute, SitesRoute } from "@/features/sites";
import { BillsRoute } from "@/features/billing";
import { TariffEditorRoute, TariffsRoute } from "@/features/tariffs";
import { UsersRoute } from "@/features/users";

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
        <AppLayout />
      </RequireAuth>
    ),
    errorElement: <RouteErrorBoundary />,
    children: [
      { index: true, element: <DashboardRoute /> },
      { path: "sites", element: <SitesRoute /> },
      { path: "sites/:siteId", element: <SiteDetailRoute /> },
      { path: "bills", element: <BillsRoute /> },
      {
        path: "settings",
        element: <SettingsLayoutRoute />,
        children: [
          { index: true, element: <SettingsIndexRoute /> },
          {
            // Each settings tab is a route guarded by its role (see features/settings/config/tabs.ts).
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
          { path: "*", element: <Navigate to={paths.settings} replace /> },
        ],
      },
      { path: "*", element: <NotFoundRoute /> },
    ],
  },
];

export function createAppRouter() {
  return createBrowserRouter(routes);
}
