import { Button, Result, Spin } from "antd";
import type { ReactNode } from "react";
import { Navigate, Outlet, useLocation } from "react-router";
import { useMe } from "../api/get-me";
import { loginPath } from "../lib/paths";

export function FullPageSpinner() {
  return (
    <div
      data-testid="auth-loading"
      style={{ minHeight: "60vh", display: "grid", placeItems: "center" }}
    >
      <Spin size="large" />
    </div>
  );
}

/**
 * Route guard: renders its children (or the nested routes) for a signed-in
 * user; sends anyone else to `/login?next=<where they wanted to go>`.
 */
export function RequireAuth({ children }: { children?: ReactNode }) {
  const me = useMe();
  const location = useLocation();

  if (me.data) return <>{children ?? <Outlet />}</>;
  if (me.isPending) return <FullPageSpinner />;
  if (me.isError) {
    return (
      <Result
        data-testid="auth-error"
        status="error"
        title="The portal API is unreachable"
        subTitle="Your session could not be checked. Check that the portal service is running."
        extra={
          <Button onClick={() => void me.refetch()} loading={me.isFetching}>
            Retry
          </Button>
        }
      />
    );
  }
  return <Navigate to={loginPath(location.pathname + location.search)} replace />;
}
