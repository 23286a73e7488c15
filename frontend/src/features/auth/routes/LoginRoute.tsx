import { useQueryClient } from "@tanstack/react-query";
import { Card, Layout, theme, Typography } from "antd";
import { useEffect } from "react";
import { Navigate, useLocation, useNavigate, useSearchParams } from "react-router";
import { BrandMark, BrandSupport, isBrandingQueryKey, useBrand } from "@/features/branding";
import { useMe } from "../api/get-me";
import { authKeys, isMeQueryKey } from "../api/keys";
import { FullPageSpinner } from "../components/RequireAuth";
import { LoginForm } from "../components/LoginForm";
import { safeNextPath, type LoginLocationState } from "../lib/paths";

export function LoginRoute() {
  const [searchParams] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { token } = theme.useToken();
  const signedOut = (location.state as LoginLocationState)?.signedOut === true;
  const target = safeNextPath(searchParams.get("next"));
  const me = useMe();
  const branding = useBrand();

  // Whoever arrives here — logged out, expired, or new — starts with an empty
  // cache: nothing of the previous session may leak into the next one.
  useEffect(() => {
    // The brand is public (this page shows it), not part of anyone's session: it stays.
    queryClient.removeQueries({
      predicate: (query) => !isMeQueryKey(query.queryKey) && !isBrandingQueryKey(query.queryKey),
    });
    if (signedOut) queryClient.setQueryData(authKeys.me(), null);
  }, [queryClient, signedOut]);

  if (me.data && !signedOut) return <Navigate to={target} replace />;
  if (me.isPending && !signedOut) return <FullPageSpinner />;

  return (
    <Layout
      style={{
        minHeight: "100vh",
        display: "grid",
        placeItems: "center",
        background: token.colorBgLayout,
      }}
    >
      <main>
        <Card style={{ width: 380, maxWidth: "calc(100vw - 32px)" }} data-testid="login-card">
          <div style={{ display: "flex", alignItems: "center", gap: 10, marginBottom: 8 }}>
            <BrandMark logoHeight={40} iconSize={26} />
            <Typography.Title level={3} style={{ margin: 0 }} data-testid="login-product-name">
              {branding.product_name}
            </Typography.Title>
          </div>
          {branding.tagline && (
            <Typography.Paragraph data-testid="login-tagline" style={{ marginBottom: 8 }}>
              {branding.tagline}
            </Typography.Paragraph>
          )}
          <Typography.Paragraph type="secondary">Log in to continue.</Typography.Paragraph>
          <LoginForm onSuccess={() => void navigate(target, { replace: true })} />
          <BrandSupport style={{ marginTop: 16 }} />
        </Card>
      </main>
    </Layout>
  );
}
