import { CloudServerOutlined, CloudUploadOutlined } from "@ant-design/icons";
import type { MenuProps } from "antd";
import { Link } from "react-router";
import type { RunMode } from "../types";

type NavItem = NonNullable<MenuProps["items"]>[number];

/** The nav key of the fleet pages (/fleet, /fleet/:code, /fleet/push). */
export const FLEET_NAV_KEY = "/fleet";

/**
 * The nav entry for the fleet pages: "Fleet" on an admin stack, "Fleet push" on a
 * client stack, nothing on a standalone one (or while the run mode is unknown).
 */
export function fleetNavItem(runMode: RunMode | undefined): NavItem | null {
  if (runMode === "admin") {
    return {
      key: FLEET_NAV_KEY,
      icon: <CloudServerOutlined />,
      label: (
        <Link to="/fleet" data-testid="nav-fleet">
          Fleet
        </Link>
      ),
    };
  }
  if (runMode === "client") {
    return {
      key: FLEET_NAV_KEY,
      icon: <CloudUploadOutlined />,
      label: (
        <Link to="/fleet/push" data-testid="nav-fleet-push">
          Fleet push
        </Link>
      ),
    };
  }
  return null;
}
