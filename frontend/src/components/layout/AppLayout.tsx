import { DashboardOutlined, SettingOutlined, ThunderboltOutlined } from "@ant-design/icons";
import { Layout, Menu, theme, Typography } from "antd";
import type { MenuProps } from "antd";
import { Link, Outlet, useLocation } from "react-router";
import { brand } from "@/config/brand";

const { Header, Sider, Content } = Layout;

const navItems: MenuProps["items"] = [
  { key: "/", icon: <DashboardOutlined />, label: <Link to="/">Dashboard</Link> },
  { key: "/settings", icon: <SettingOutlined />, label: <Link to="/settings">Settings</Link> },
];

function selectedKeys(pathname: string): string[] {
  if (pathname === "/") return ["/"];
  if (pathname === "/settings" || pathname.startsWith("/settings/")) return ["/settings"];
  return [];
}

export function AppLayout() {
  const { pathname } = useLocation();
  const { token } = theme.useToken();

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
            items={navItems}
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
