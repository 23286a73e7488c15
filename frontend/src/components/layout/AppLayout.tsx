import {
  DashboardOutlined,
  EnvironmentOutlined,
  FileTextOutlined,
  SettingOutlined,
  ThunderboltOutlined,
} from "@ant-design/icons";
import { Layout, Menu, theme, Typography } from "antd";
import type { MenuProps } from "antd";
import { Link, Outlet, useLocation } from "react-router";
import type { User } from "@/api/types";
import { brand } from "@/config/brand";
import { UserMenu, useMe } from "@/features/auth";
import { settingsTabPath, visibleSettingsTabs } from "@/features/settings";

const { Header, Sider, Content } = Layout;

/** The nav for this user: entries they may not open are not shown. */
function navItems(user: User | null | undefined): NonNullable<MenuProps["items"]> {
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
  ];
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
  if (pathname.startsWith("/settings/")) return [pathname.split("/").slice(0, 3).join("/")];
  return [];
}

/** The signed-in shell (rendered inside `RequireAuth`). */
export function AppLayout() {
  const { pathname } = useLocation();
  const { token } = theme.useToken();
  const { data: user } = useMe();

  return (
    <Layout style={{ minHeight: "100vh" }}>
      <Header
        data-testid="app-header"
        style={{ display: "flex", alignItems: "center", gap: 12, paddingInline: 24 }}
      >
        <ThunderboltOutlined style={{ color: token.colorWarning, fontSize: 22 }} />
        <Typography.Text
          data-testid="product-name"
          strong
          style={{ color: "#fff", fontSize: 18, margin: 0 }}
        >
          {brand.productName}
        </Typography.Text>
        <div style={{ flex: 1 }} />
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
          <Menu
            mode="inline"
            selectedKeys={selectedKeys(pathname)}
            defaultOpenKeys={["/settings"]}
            items={navItems(user)}
            style={{ height: "100%", borderInlineEnd: 0 }}
          />
        </Sider>
        <Content style={{ padding: 24 }}>
          <Outlet />
        </Content>
      </Layout>
    </Layout>
  );
}
