import { ThunderboltOutlined } from "@ant-design/icons";
import { Button, ConfigProvider, Flex, Tag, theme, Typography } from "antd";
import { isHexColor, legibleOn, withLightness } from "@/lib/contrast";
import { brandPalette, brandThemeConfig } from "../lib/theme";
import type { BrandTheme } from "../lib/types";

type BrandPreviewProps = {
  productName: string;
  primary: string;
  secondary: string;
  mode: BrandTheme;
  tagline: string;
  logoUrl: string | null;
};

function PreviewBody({ tagline, secondary }: { tagline: string; secondary: string }) {
  const { token } = theme.useToken();
  return (
    <div style={{ background: token.colorBgLayout, padding: 16 }}>
      {tagline && (
        <Typography.Paragraph type="secondary" data-testid="preview-tagline">
          {tagline}
        </Typography.Paragraph>
      )}
      <Flex gap={8} wrap align="center">
        <Button type="primary" data-testid="preview-button">
          Primary button
        </Button>
        <Button>Default</Button>
        <Typography.Link>A link</Typography.Link>
        {/* antd paints a custom-colour tag's text in the colour, on a 95 % lightness tint of it */}
        <Tag
          color={legibleOn(secondary, [withLightness(secondary, 0.95)])}
          data-testid="preview-accent"
        >
          Accent
        </Tag>
      </Flex>
    </div>
  );
}

/** The header strip and a few controls in the colours being edited (not yet saved). */
export function BrandPreview({
  productName,
  primary,
  secondary,
  mode,
  tagline,
  logoUrl,
}: BrandPreviewProps) {
  const { token } = theme.useToken();
  const { header } = brandPalette({ primary_color: primary, theme: mode });
  return (
    <div
      data-testid="brand-preview"
      style={{
        border: `1px solid ${token.colorBorderSecondary}`,
        borderRadius: token.borderRadiusLG,
        overflow: "hidden",
      }}
    >
      <ConfigProvider theme={brandThemeConfig({ primary_color: primary, theme: mode })}>
        <Flex
          data-testid="preview-header"
          align="center"
          gap={10}
          style={{
            background: header.background,
            borderBottom: `3px solid ${isHexColor(secondary) ? secondary : "transparent"}`,
            height: 52,
            paddingInline: 16,
          }}
        >
          {logoUrl ? (
            <img src={logoUrl} alt="" style={{ height: 28, maxWidth: 140, objectFit: "contain" }} />
          ) : (
            <ThunderboltOutlined style={{ color: token.colorWarning, fontSize: 18 }} />
          )}
          <Typography.Text
            strong
            style={{ color: header.text, fontSize: 16 }}
            ellipsis
            data-testid="preview-product-name"
          >
            {productName || "Product name"}
          </Typography.Text>
        </Flex>
        <PreviewBody tagline={tagline} secondary={secondary} />
      </ConfigProvider>
    </div>
  );
}
