import {
  AlertOutlined,
  AreaChartOutlined,
  DashboardOutlined,
  EnvironmentOutlined,
  FileTextOutlined,
  FileDoneOutlined,
  ShopOutlined,
  SettingOutlined,
} from "@ant-design/icons";
import { Layout, Menu, theme, Typography } from "antd";
import type { MenuProps } from "antd";
import { Link, Outlet, useLocation } from "react-router";
import type { User } from "@/api/types";
import { MAIN_CONTENT_ID, SkipLink } from "@/components/a11y/SkipLink";
import { AlertsBadge } from "@/features/alerts";
import { BrandMark, useBrand } from "@/features/branding";
import { hasRole, UserMenu, useMe } from "@/features/auth";
import { REPORTS_PATH } from "@/features/reports";
import { FLEET_NAV_KEY, fleetNavItem, useRunMode } from "@/features/fleet";
import type { RunMode } from "@/features/fleet";
import { settingsTabPath, visibleSettingsTabs } from "@/features/settings";

const { Header, Sider, Content } = Layout;

/** The nav for this user: entries they may not open are not shown. */
function navItems(
  user: User | null | undefined,
  runMode?: RunMode,
): NonNullable<MenuProps["items"]> {
  const items: NonNullable<MenuProps["items"]> = [
    { key: "/", icon: <DashboardOutlined />, label: <Link to="/">Dashboard</Link> },
    {
      key: "/sites",
      icon: <EnvironmentOutlined />,
      label: (
        <Link to="/sites" data-testid="nav-sites">
          Sites
        </Link>
      ),
    },
    {
      key: "/bills",
      icon: <FileTextOutlined />,
      label: (
        <Link to="/bills" data-testid="nav-bills">
          Bills
        </Link>
      ),
    },
    {
      key: "/alerts",
      icon: <AlertOutlined />,
      label: (
        <Link to="/alerts" data-testid="nav-alerts">
          Alerts
        </Link>
      ),
    },
    {
      key: "/dashboards",
      icon: <AreaChartOutlined />,
      label: (
        <Link to="/dashboards" data-testid="nav-dashboards">
          Dashboards
        </Link>
      ),
    },
  ];
  if (hasRole(user, "admin"))
    items.push({
      key: "/tenants",
      icon: <ShopOutlined />,
      label: (
        <Link to="/tenants" data-testid="nav-tenants">
          Tenants
        </Link>
      ),
    });
  if (hasRole(user, "admin"))
    items.push({
      key: REPORTS_PATH,
      icon: <FileDoneOutlined />,
      label: (
        <Link to={REPORTS_PATH} data-testid="nav-reports">
          Reports
        </Link>
      ),
    });
  const fleet = fleetNavItem(runMode);
  if (fleet) items.push(fleet);
  const tabs = visibleSettingsTabs(user?.role);
  if (tabs.length > 0) {
    items.push({
      key: "/settings",
      icon: <SettingOutlined />,
      label: "Settings",
      children: tabs.map((tab) => ({
        key: settingsTabPath(tab),
        label: (
          <Link to={settingsTabPath(tab)} data-testid={`nav-settings-${tab.key}`}>
            {tab.label}
          </Link>
        ),
      })),
    });
  }
  return items;
}

function selectedKeys(pathname: string): string[] {
  if (pathname === "/") return ["/"];
  if (pathname === "/sites" || pathname.startsWith("/sites/")) return ["/sites"];
  if (pathname === "/bills") return ["/bills"];
  if (pathname === "/alerts" || pathname.startsWith("/alerts/")) return ["/alerts"];
  if (pathname === "/dashboards") return ["/dashboards"];
  if (pathname === "/tenants" || pathname.startsWith("/tenants/")) return ["/tenants"];
  if (pathname === REPORTS_PATH) return [REPORTS_PATH];
  if (pathname === "/fleet" || pathname.startsWith("/fleet/")) return [FLEET_NAV_KEY];
  if (pathname.startsWith("/settings/")) return [pathname.split("/").slice(0, 3).join("/")];
  return [];
}

/** The signed-in shell (rendered inside `RequireAuth`). */
export function AppLayout() {
  const { pathname } = useLocation();
  const { token } = theme.useToken();
  const { data: user } = useMe();
  const runMode = useRunMode();
  const branding = useBrand();

  return (
    <Layout style={{ minHeight: "100vh" }}>
      <SkipLink />
      <Header
        data-testid="app-header"
        style={{
          display: "flex",
          alignItems: "center",
          gap: 12,
          paddingInline: 24,
          // the background is the primary colour, or a darker shade of it so its white text reads
          // (the theme's headerBg and headerColor); the accent underlines it
          boxShadow: `inset 0 -3px 0 ${branding.secondary_color}`,
        }}
      >
        <BrandMark logoHeight={36} iconSize={22} />
        <Typography.Text
          data-testid="product-name"
          strong
          // the header's text colour, which the theme picks to read on the header
          style={{ color: "inherit", fontSize: 18, margin: 0 }}
        >
          {branding.product_name}
        </Typography.Text>
        <div style={{ flex: 1 }} />
        <AlertsBadge />
        {user && <UserMenu user={user} />}
      </Header>
      <Layout>
        <Sider
          data-testid="nav"
          width={220}
          breakpoint="lg"
          collapsedWidth={0}
          style={{ background: token.colorBgContainer }}
        >
          <nav aria-label="Main" style={{ height: "100%" }}>
            <Menu
              mode="inline"
              selectedKeys={selectedKeys(pathname)}
              defaultOpenKeys={["/settings"]}
              items={navItems(user, runMode)}
              style={{ height: "100%", borderInlineEnd: 0 }}
            />
          </nav>
        </Sider>
        {/* the skip link's target: focusable from script only, no ring of its own (index.css) */}
        <Content id={MAIN_CONTENT_ID} tabIndex={-1} style={{ padding: 24 }}>
          <Outlet />
        </Content>
      </Layout>
    </Layout>
  );
}
