import { Layout, Result, Typography } from "antd";
import { Link, Outlet, useLocation } from "react-router";
import { MAIN_CONTENT_ID, SkipLink } from "@/components/a11y/SkipLink";
import { UserMenu, useMe } from "@/features/auth";
import { BrandMark, useBrand } from "@/features/branding";
import { useMyTenant } from "../api/tenants";
import { portalAllows } from "../lib/paths";

const { Header, Content } = Layout;

/**
 * The signed-in shell of a tenant user: the brand, its tenant's name and the account menu;
 * no navigation to the site's pages. Any other address shows "not available here".
 */
export function TenantPortalLayout() {
  const { pathname } = useLocation();
  const { data: user } = useMe();
  const tenant = useMyTenant();
  const branding = useBrand();
  return (
    <Layout style={{ minHeight: "100vh" }} data-testid="tenant-portal">
      <SkipLink />
      <Header
        data-testid="app-header"
        style={{
          display: "flex",
          alignItems: "center",
          gap: 12,
          paddingInline: 24,
          boxShadow: `inset 0 -3px 0 ${branding.secondary_color}`,
        }}
      >
        <Link to="/" style={{ display: "flex", alignItems: "center", gap: 12 }}>
          <BrandMark logoHeight={36} iconSize={22} />
          <Typography.Text
            data-testid="product-name"
            strong
            style={{ color: "#fff", fontSize: 18 }}
          >
            {branding.product_name}
          </Typography.Text>
        </Link>
        {tenant.data && (
          <Typography.Text data-testid="portal-header-tenant" style={{ color: "#fff" }}>
            · {tenant.data.name}
          </Typography.Text>
        )}
        <div style={{ flex: 1 }} />
        {user && <UserMenu user={user} />}
      </Header>
      <Content
        id={MAIN_CONTENT_ID}
        tabIndex={-1}
        style={{ padding: 24, maxWidth: 1200, width: "100%", margin: "0 auto" }}
      >
        {portalAllows(pathname) ? (
          <Outlet />
        ) : (
          <Result
            data-testid="portal-not-available"
            status="404"
            title="Not available here"
            subTitle="Your account sees your own meters, energy and bills."
            extra={<Link to="/">Back to your portal</Link>}
          />
        )}
      </Content>
    </Layout>
  );
}
