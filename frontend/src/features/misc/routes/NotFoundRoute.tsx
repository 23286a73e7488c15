import { Result } from "antd";
import { Link } from "react-router";

export function NotFoundRoute() {
  return (
    <Result
      data-testid="not-found"
      status="404"
      title="Page not found"
      subTitle="Sorry, the page you visited does not exist."
      extra={
        <Link to="/" data-testid="not-found-home">
          Back to the dashboard
        </Link>
      }
    />
  );
}
