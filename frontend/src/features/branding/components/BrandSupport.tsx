import { Space, Typography } from "antd";
import type { CSSProperties } from "react";
import { useBrand } from "../lib/context";
import { safeHttpUrl } from "../lib/defaults";

/** "Need help? support@… · Support site", when the brand names a contact. */
export function BrandSupport({ style }: { style?: CSSProperties }) {
  const { support_email, support_url } = useBrand();
  const url = safeHttpUrl(support_url);
  if (!support_email && !url) return null;
  return (
    <div data-testid="brand-support" style={style}>
      <Space size={6} wrap style={{ fontSize: 12 }}>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          Need help?
        </Typography.Text>
        {support_email && (
          <Typography.Link href={`mailto:${support_email}`} data-testid="brand-support-email">
            {support_email}
          </Typography.Link>
        )}
        {url && (
          <Typography.Link
            href={url}
            target="_blank"
            rel="noopener noreferrer"
            data-testid="brand-support-url"
          >
            Support site
          </Typography.Link>
        )}
      </Space>
    </div>
  );
}
