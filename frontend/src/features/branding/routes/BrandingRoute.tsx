import { Card, Col, Divider, Form, Row, Spin, Typography } from "antd";
import type { FormInstance } from "antd";
import { LoadFailed, ResourcePage } from "@/components/resource-page/ResourcePage";
import { useBranding } from "../api/branding";
import { BrandAssetUpload } from "../components/BrandAssetUpload";
import { BrandingForm } from "../components/BrandingForm";
import { BrandPreview } from "../components/BrandPreview";
import { isHexColor } from "@/lib/contrast";
import type { BrandingFormValues } from "../lib/form";
import type { Branding } from "../lib/types";

function LivePreview({ form, saved }: { form: FormInstance<BrandingFormValues>; saved: Branding }) {
  const productName = Form.useWatch("product_name", form) ?? saved.product_name;
  const primary = Form.useWatch("primary_color", form);
  const secondary = Form.useWatch("secondary_color", form);
  const mode = Form.useWatch("theme", form) ?? saved.theme;
  const tagline = Form.useWatch("tagline", form) ?? saved.tagline ?? "";
  return (
    <BrandPreview
      productName={productName}
      primary={isHexColor(primary) ? primary : saved.primary_color}
      secondary={isHexColor(secondary) ? secondary : saved.secondary_color}
      mode={mode}
      tagline={tagline}
      logoUrl={saved.logo_url}
    />
  );
}

/** Settings → Branding (admin only; the route guards it). */
export function BrandingRoute() {
  const branding = useBranding();
  const [form] = Form.useForm<BrandingFormValues>();

  return (
    <ResourcePage
      // The stored copy shown while loading is no base for a form: wait for the server's.
      query={{
        data: branding.isPlaceholderData ? undefined : branding.data,
        error: branding.error,
        isError: branding.isError,
      }}
      loading={<Spin data-testid="branding-loading" />}
      failure={(error) => (
        <LoadFailed
          error={error}
          testId="branding-load-error"
          title="The branding could not be loaded"
          retry={() => void branding.refetch()}
        />
      )}
    >
      {(saved) => (
        <>
          <Typography.Paragraph type="secondary">
            The portal&apos;s name, colours and logo, for everyone who uses it, the login page
            included. Changes apply as soon as they are saved.
          </Typography.Paragraph>
          <Row gutter={[24, 24]}>
            <Col xs={24} xl={14}>
              <Card title="Brand">
                <BrandingForm form={form} branding={saved} />
              </Card>
            </Col>
            <Col xs={24} xl={10}>
              <Card title="Preview" style={{ marginBottom: 24 }}>
                <LivePreview form={form} saved={saved} />
                <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
                  Shows the colours above before they are saved.
                </Typography.Paragraph>
              </Card>
              <Card title="Logo and favicon">
                <BrandAssetUpload kind="logo" currentUrl={saved.logo_url} />
                <Divider />
                <BrandAssetUpload kind="favicon" currentUrl={saved.favicon_url} />
              </Card>
            </Col>
          </Row>
        </>
      )}
    </ResourcePage>
  );
}
