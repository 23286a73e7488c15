import { ThunderboltOutlined } from "@ant-design/icons";
import { theme } from "antd";
import { useBrand } from "../lib/context";

type BrandMarkProps = {
  /** Height of the uploaded logo, in px. */
  logoHeight: number;
  /** Size of the default mark when there is no logo, in px. */
  iconSize: number;
};

/** The uploaded logo (alt text: the product name), or the default lightning mark. */
export function BrandMark({ logoHeight, iconSize }: BrandMarkProps) {
  const { logo_url, product_name } = useBrand();
  const { token } = theme.useToken();
  if (logo_url) {
    return (
      <img
        data-testid="brand-logo"
        src={logo_url}
        alt={product_name}
        style={{
          display: "block",
          height: logoHeight,
          maxWidth: logoHeight * 5,
          objectFit: "contain",
        }}
      />
    );
  }
  return (
    <ThunderboltOutlined
      data-testid="brand-default-mark"
      aria-hidden
      style={{ color: token.colorWarning, fontSize: iconSize }}
    />
  );
}
