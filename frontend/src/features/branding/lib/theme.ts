import { theme } from "antd";
import type { ThemeConfig } from "antd";
import { isHexColor } from "./contrast";
import { defaultBranding } from "./defaults";
import type { Branding } from "./types";

type BrandColours = Pick<Branding, "primary_color" | "theme">;

/**
 * The antd theme for a brand: the primary colour drives buttons, links,
 * focus rings and info states; the header is painted in it too; "dark"
 * switches antd's dark algorithm on.
 */
export function brandThemeConfig({ primary_color, theme: mode }: BrandColours): ThemeConfig {
  const primary = isHexColor(primary_color) ? primary_color : defaultBranding.primary_color;
  return {
    algorithm: mode === "dark" ? theme.darkAlgorithm : theme.defaultAlgorithm,
    token: { colorPrimary: primary, colorInfo: primary, colorLink: primary },
    components: { Layout: { headerBg: primary } },
  };
}
