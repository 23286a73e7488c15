/**
 * WCAG 2.x colour contrast, as pure functions over `#rrggbb` colours, on
 * colord and its a11y plugin (luminance and ratio as WCAG defines them:
 * https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio).
 *
 * Beyond measuring, two helpers make a brand colour usable:
 * - `legibleOn`: the brand colour used AS text (links, selected menu items),
 *   darkened (on light surfaces) or lightened (on dark ones) until it reads;
 * - `solidSurface`: the brand colour used as a background (buttons, the
 *   header), with the text that reads on it, darkened when needed.
 */
import { colord, extend, type Colord } from "colord";
import a11yPlugin from "colord/plugins/a11y";

extend([a11yPlugin]);

/** WCAG AA for normal-size text. */
export const MIN_TEXT_CONTRAST = 4.5;
/** WCAG AA for large text (18pt, or 14pt bold: 24px, or 18.66px bold). */
export const MIN_LARGE_TEXT_CONTRAST = 3;

export const WHITE = "#ffffff";
/** The dark text on light solid colours (antd's dark page background). */
export const NEAR_BLACK = "#141414";
const BLACK = "#000000";

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/** `#rrggbb`, the only form the server accepts. */
export function isHexColor(value: unknown): value is string {
  return typeof value === "string" && HEX_COLOR.test(value);
}

function parse(hex: string): Colord {
  if (!isHexColor(hex)) throw new Error(`not a #rrggbb colour: ${String(hex)}`);
  return colord(hex);
}

/** Relative luminance of a `#rrggbb` colour, 0 (black) … 1 (white), to two decimals. */
export function relativeLuminance(hex: string): number {
  return parse(hex).luminance();
}

/**
 * The contrast ratio of two colours, 1 … 21, order free; rounded down to two
 * decimals, so a ratio just under a threshold never counts as reaching it.
 */
export function contrastRatio(a: string, b: string): number {
  return parse(a).contrast(parse(b));
}

/** "4.1:1": one decimal, rounded down so 4.49 never reads as a passing 4.5. */
export function formatRatio(ratio: number): string {
  return `${(Math.floor(ratio * 10 + 1e-9) / 10).toFixed(1)}:1`;
}

/** The lowest ratio of `color` against any of `surfaces`. */
export function worstContrast(color: string, surfaces: readonly string[]): number {
  return Math.min(...surfaces.map((surface) => contrastRatio(color, surface)));
}

/**
 * White or near-black, whichever reads better on `background`; pure black
 * when even near-black misses `min` (white or black always reaches 4.58:1).
 */
export function readableTextOn(background: string, min = MIN_TEXT_CONTRAST): string {
  const light = contrastRatio(WHITE, background);
  const dark = contrastRatio(NEAR_BLACK, background);
  if (light >= dark) return light >= min ? WHITE : BLACK;
  return dark >= min ? NEAR_BLACK : BLACK;
}

/**
 * `color` moved in HSL lightness (hue and saturation kept) towards black
 * (`direction` "darken") or white ("lighten") just far enough that
 * `passes` holds; the original colour when it already does, the end of the
 * range (black or white) when nothing short of it does.
 */
function shiftLightness(
  color: string,
  direction: "darken" | "lighten",
  passes: (hex: string) => boolean,
): string {
  if (passes(color)) return color;
  const start = parse(color);
  const at = (amount: number) =>
    (direction === "darken" ? start.darken(amount) : start.lighten(amount)).toHex();
  let low = 0;
  let high = 1; // lightness clamps at 0 and 100: a full step is black or white
  for (let i = 0; i < 24; i += 1) {
    const mid = (low + high) / 2;
    if (passes(at(mid))) high = mid;
    else low = mid;
  }
  return at(high);
}

/** `color` a step (`amount`, 0 … 1 of HSL lightness) darker or lighter. */
export function shade(color: string, direction: "darken" | "lighten", amount: number): string {
  const start = parse(color);
  return (direction === "darken" ? start.darken(amount) : start.lighten(amount)).toHex();
}

/** `color` with its HSL lightness set to `lightness` (0 … 1): antd's tint behind a custom-colour tag is 0.95. */
export function withLightness(color: string, lightness: number): string {
  const hsl = parse(color).toHsl();
  return colord({ h: hsl.h, s: hsl.s, l: lightness * 100 }).toHex();
}

/** Whether `surfaces` are light (dark text reads on them) rather than dark. */
function lightSurfaces(surfaces: readonly string[]): boolean {
  const average = surfaces.reduce((sum, s) => sum + relativeLuminance(s), 0) / surfaces.length;
  return average > 0.18;
}

/**
 * `color` used as text on `surfaces` (e.g. a brand colour as a link on white
 * and on the grey page): itself when it reaches `min` on every one, else the
 * nearest darker (light surfaces) or lighter (dark surfaces) shade that does.
 */
export function legibleOn(
  color: string,
  surfaces: readonly string[],
  min = MIN_TEXT_CONTRAST,
): string {
  const direction = lightSurfaces(surfaces) ? "darken" : "lighten";
  return shiftLightness(color, direction, (hex) => worstContrast(hex, surfaces) >= min);
}

/** A solid background with the text that sits on it. */
export type SolidSurface = {
  /** The background to paint: the brand colour, or a darker shade of it. */
  background: string;
  /** White or near-black. */
  text: string;
  /** Contrast of `text` on `background`. */
  ratio: number;
  /** True when `background` is not the colour asked for. */
  adjusted: boolean;
};

export type SolidOptions = {
  min?: number;
  /**
   * "auto": white text when the colour is dark enough for white to reach 3:1
   * (the colour is darkened the rest of the way to `min`), near-black text on
   * lighter colours, which then keep their colour. "white": always white text,
   * darkening the colour as far as needed (for places whose contents are white).
   */
  text?: "auto" | "white";
};

/**
 * A brand colour used as a background (buttons, the header): the text colour
 * and, when needed, the darker shade of the colour, so the text reaches `min`.
 */
export function solidSurface(color: string, options: SolidOptions = {}): SolidSurface {
  const { min = MIN_TEXT_CONTRAST, text = "auto" } = options;
  const whiteRatio = contrastRatio(WHITE, color);
  const textColor = text === "white" || whiteRatio >= MIN_LARGE_TEXT_CONTRAST ? WHITE : NEAR_BLACK;
  const background =
    textColor === WHITE
      ? shiftLightness(color, "darken", (hex) => contrastRatio(WHITE, hex) >= min)
      : shiftLightness(color, "lighten", (hex) => contrastRatio(NEAR_BLACK, hex) >= min);
  return {
    background,
    text: textColor,
    ratio: contrastRatio(textColor, background),
    adjusted: background !== color.toLowerCase(),
  };
}
