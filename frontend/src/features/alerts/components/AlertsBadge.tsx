import { BellOutlined } from "@ant-design/icons";
import { Badge, Tooltip } from "antd";
import { Link } from "react-router";
import { hasRole, useMe } from "@/features/auth";
import { useAlertSummary } from "../api/alerts";
import { ALERTS_PATH } from "../lib/alerts";

/** "3 alerts firing" */
export function firingLabel(count: number): string {
  return count === 1 ? "1 alert firing" : `${count} alerts firing`;
}

/**
 * The header's bell: how many alerts fire and are not acknowledged (every 15 s), a link to
 * /alerts. Not shown to a tenant user (the API answers them 403: it is not asked).
 */
export function AlertsBadge() {
  const { data: user } = useMe();
  const allowed = hasRole(user, "viewer");
  const summary = useAlertSummary(allowed);
  if (!allowed) return null;
  const firing = summary.data?.firing ?? 0;
  const label = summary.data ? firingLabel(firing) : "Alerts";
  return (
    <Tooltip title={label}>
      <Link
        to={ALERTS_PATH}
        data-testid="alerts-badge"
        data-count={firing}
        aria-label={label}
        style={{ display: "inline-flex", alignItems: "center", padding: "0 8px" }}
      >
        <Badge count={firing} size="small" overflowCount={99}>
          <BellOutlined style={{ color: "#fff", fontSize: 20 }} />
        </Badge>
      </Link>
    </Tooltip>
  );
}
