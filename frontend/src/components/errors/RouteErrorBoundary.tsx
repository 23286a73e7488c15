import { Result } from "antd";
import { isRouteErrorResponse, Link, useRouteError } from "react-router";

/** Shown by the router when a route throws while rendering or loading. */
export function RouteErrorBoundary() {
  const error = useRouteError();
  const detail = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : "Unknown error";

  return (
    <Result
      data-testid="route-error"
      status="error"
      title="Something went wrong"
      subTitle={detail}
      extra={<Link to="/">Back to the dashboard</Link>}
    />
  );
}
