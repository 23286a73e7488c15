import { Result } from "antd";
import type { ReactNode } from "react";
import { Link, Outlet } from "react-router";
import type { Role } from "@/api/types";
import { useMe } from "../api/get-me";
import { hasRole } from "../lib/roles";

/** Shown to a signed-in user who opens a page their role may not see. */
export function Forbidden() {
  return (
    <Result
      data-testid="forbidden"
      status="403"
      title="Access denied"
      subTitle="Your account is not allowed to open this page. Ask an administrator if you need it."
      extra={<Link to="/">Back to the dashboard</Link>}
    />
  );
}

/**
 * Route guard for a role; use inside `RequireAuth`. A user without the role
 * gets a 403 page (not a redirect), so a shared link explains itself.
 */
export function RequireRole({ role, children }: { role: Role; children?: ReactNode }) {
  const { data: user } = useMe();
  if (!user) return null; // RequireAuth above handles "not signed in"
  if (!hasRole(user, role)) return <Forbidden />;
  return <>{children ?? <Outlet />}</>;
}
