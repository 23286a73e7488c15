import { theme } from "antd";
import type { ThemeConfig } from "antd";
import {
  contrastRatio,
  isHexColor,
  legibleOn,
  MIN_LARGE_TEXT_CONTRAST,
  MIN_TEXT_CONTRAST,
  NEAR_BLACK,
  readableTextOn,
  shade,
  solidSurface,
  WHITE,
  withLightness,
  worstContrast,
} from "@/lib/contrast";
import { defaultBranding } from "./defaults";
import type { Branding } from "./types";

type BrandColours = Pick<Branding, "primary_color" | "theme">;

/** A solid colour with the text on it (and its hover and pressed shades). */
export type Solid = {
  background: string;
  text: string;
  ratio: number;
  hover: string;
  active: string;
};

/**
 * What the theme paints with a brand's primary colour, every text pair at
 * WCAG AA (4.5:1) whatever the colour:
 * - `header`: white text (the header's contents are white), on the primary
 *   colour or, when white does not read on it, a darker shade of it;
 * - `button`: primary buttons; white text on colours dark enough for white to
 *   reach 3:1 (darkened the rest of the way), near-black text on lighter ones,
 *   which keep their colour;
 * - `accent`: antd's primary colour (focus, switches, selected dates): the
 *   primary colour darkened (light theme) until white text on it and it as
 *   text on the page both read;
 * - `link`: the primary colour as text (links, the selected menu item).
 */
export type BrandPalette = {
  primary: string;
  mode: Branding["theme"];
  accent: string;
  header: Solid;
  button: Solid;
  /** The tint behind selected items (menu, select options), text in `link`. */
  selectedBg: string;
  link: string;
  /** Worst contrast of `link` on the page, card and selected-item backgrounds. */
  linkRatio: number;
};

const algorithms = { light: theme.defaultAlgorithm, dark: theme.darkAlgorithm } as const;

/** Hover and pressed shades that move away from the text, so they read at least as well. */
function solid(background: string, text: string): Solid {
  const away = text === WHITE ? "darken" : "lighten";
  const hover = shade(background, away, 0.06);
  const active = shade(background, away, 0.12);
  return { background, text, ratio: contrastRatio(text, background), hover, active };
}

export function brandPalette({ primary_color, theme: mode }: BrandColours): BrandPalette {
  const primary = (
    isHexColor(primary_color) ? primary_color : defaultBranding.primary_color
  ).toLowerCase();
  const algorithm = algorithms[mode];
  const base = theme.getDesignToken({ algorithm, token: { colorPrimary: primary } });
  const page = [base.colorBgContainer, base.colorBgLayout];

  let accent: string;
  let header: Solid;
  let button: Solid;
  if (mode === "light") {
    // the primary colour as text on the page and on its selected tint, and white text on it,
    // all read (darkening keeps hue and saturation, so the tint stays the same)
    accent = legibleOn(primary, [WHITE, ...page, withLightness(primary, 0.95)]);
    header = solid(accent, WHITE);
    button =
      contrastRatio(WHITE, primary) >= MIN_LARGE_TEXT_CONTRAST
        ? solid(accent, WHITE)
        : solid(primary, NEAR_BLACK);
  } else {
    // the dark algorithm paints with its own dimmed shade of the colour
    accent = base.colorPrimary;
    header = solid(solidSurface(primary, { text: "white" }).background, WHITE);
    const surface = solidSurface(base.colorPrimary);
    button = solid(surface.background, surface.text);
  }
  // antd's own tint of very dark colours is dark too (black's is grey): a light tint of our own
  const selectedBg =
    mode === "light"
      ? withLightness(accent, 0.95)
      : theme.getDesignToken({ algorithm, token: { colorPrimary: accent } }).colorPrimaryBg;
  const linkSurfaces = [...page, selectedBg];
  const link = legibleOn(mode === "light" ? accent : primary, linkSurfaces);
  return {
    primary,
    mode,
    accent,
    header,
    button,
    selectedBg,
    link,
    linkRatio: worstContrast(link, linkSurfaces),
  };
}

type Token = ReturnType<typeof theme.getDesignToken>;
const PRESETS = [
  "blue",
  "purple",
  "cyan",
  "green",
  "magenta",
  "pink",
  "red",
  "orange",
  "yellow",
  "volcano",
  "geekblue",
  "lime",
  "gold",
] as const;

/** Tags: preset colours (text shade 7 on tint 1) and status colours on their tints. */
function tagTokens(token: Token): Record<string, string> {
  const out: Record<string, string> = {};
  const colours = token as unknown as Record<string, string>;
  for (const preset of PRESETS) {
    const text = colours[`${preset}7`];
    const tint = colours[`${preset}1`];
    if (isHexColor(text) && isHexColor(tint)) out[`${preset}7`] = legibleOn(text, [tint]);
  }
  for (const status of ["Success", "Warning", "Error", "Info"] as const) {
    const text = colours[`color${status}`];
    const tint = colours[`color${status}Bg`];
    if (isHexColor(text) && isHexColor(tint)) out[`color${status}`] = legibleOn(text, [tint]);
  }
  return out;
}

/** Text colours that read on the page: secondary, tertiary (descriptions), placeholders. */
const TEXT_TOKENS = {
  light: {
    colorTextTertiary: "rgba(0, 0, 0, 0.56)",
    colorTextDescription: "rgba(0, 0, 0, 0.56)",
    colorTextPlaceholder: "rgba(0, 0, 0, 0.56)",
  },
  dark: {
    colorTextTertiary: "rgba(255, 255, 255, 0.55)",
    colorTextDescription: "rgba(255, 255, 255, 0.55)",
    colorTextPlaceholder: "rgba(255, 255, 255, 0.55)",
  },
} as const;

/**
 * The antd theme for a brand (see `BrandPalette` for the rules); "dark"
 * switches antd's dark algorithm on.
 */
export function brandThemeConfig(colours: BrandColours): ThemeConfig {
  const palette = brandPalette(colours);
  const { accent, button, header, link, mode, selectedBg } = palette;
  const algorithm = algorithms[mode];
  const token = {
    colorPrimary: accent,
    colorInfo: accent,
    colorLink: link,
    colorLinkHover: link,
    colorLinkActive: link,
    colorPrimaryText: link,
    colorPrimaryTextHover: link,
    colorPrimaryTextActive: link,
    ...(mode === "light"
      ? { colorPrimaryBg: selectedBg, colorPrimaryBgHover: withLightness(accent, 0.9) }
      : {}),
    ...TEXT_TOKENS[mode],
  };
  const derived = theme.getDesignToken({ algorithm, token });
  const page = [derived.colorBgContainer, derived.colorBgLayout];
  // errors as text (form messages, danger buttons) and as a fill under white text
  const error = legibleOn(derived.colorError, mode === "light" ? [WHITE, ...page] : page);
  const statusText = {
    colorSuccess: legibleOn(derived.colorSuccess, page),
    colorWarning: legibleOn(derived.colorWarning, page),
    colorError: error,
  };
  return {
    algorithm,
    // status colours as text anywhere (antd's *Text tokens), legible like Typography's
    token: {
      ...token,
      colorSuccessText: statusText.colorSuccess,
      colorWarningText: statusText.colorWarning,
      colorErrorText: error,
    },
    components: {
      Layout: { headerBg: header.background, headerColor: header.text },
      Button: {
        colorPrimary: button.background,
        colorPrimaryHover: button.hover,
        colorPrimaryActive: button.active,
        primaryColor: button.text,
        defaultHoverColor: link,
        defaultHoverBorderColor: link,
        defaultActiveColor: link,
        defaultActiveBorderColor: link,
        colorError: error,
        colorErrorHover: error,
        colorErrorActive: error,
        dangerColor: readableTextOn(error, MIN_TEXT_CONTRAST),
      },
      Menu: { itemSelectedColor: link, subMenuItemSelectedColor: link },
      Tag: tagTokens(derived),
      Typography: statusText,
      Form: { colorError: error },
      // an empty table's "No data" is text, not a disabled control
      Table: { colorTextDisabled: TEXT_TOKENS[mode].colorTextDescription },
      Badge: { colorError: error, colorTextLightSolid: readableTextOn(error) },
    },
  };
}
