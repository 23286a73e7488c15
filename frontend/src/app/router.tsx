import { createBrowserRouter } from "react-router";
import type { RouteObject } from "react-router";
import { RouteErrorBoundary } from "@/components/errors/RouteErrorBoundary";
import { AppLayout } from "@/components/layout/AppLayout";
import { DashboardRoute } from "@/features/dashboard/routes/DashboardRoute";
import { NotFoundRoute } from "@/features/misc/routes/NotFoundRoute";
import { SettingsRoute } from "@/features/settings/routes/SettingsRoute";

export const paths = {
  home: "/",
  settings: "/settings",
} as const;

/** Route table, shared by the browser router and tests (memory router). */
export const routes: RouteObject[] = [
  {
    path: "/",
    element: <AppLayout />,
    errorElement: <RouteErrorBoundary />,
    children: [
      { index: true, element: <DashboardRoute /> },
      { path: "settings", element: <SettingsRoute /> },
      { path: "*", element: <NotFoundRoute /> },
    ],
  },
];

export function createAppRouter() {
  return createBrowserRouter(routes);
}
