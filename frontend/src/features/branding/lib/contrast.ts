/**
 * WCAG 2.x contrast, as pure functions.
 * https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio
 */

/** WCAG AA for normal-size text. */
export const MIN_TEXT_CONTRAST = 4.5;

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/** `#rrggbb`, the only form the server accepts. */
export function isHexColor(value: unknown): value is string {
  return typeof value === "string" && HEX_COLOR.test(value);
}

function channels(hex: string): [number, number, number] {
  if (!isHexColor(hex)) throw new Error(`not a #rrggbb colour: ${hex as string}`);
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

function linear(channel: number): number {
  const c = channel / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** Relative luminance of a `#rrggbb` colour: 0 (black) … 1 (white). */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = channels(hex).map(linear) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The contrast ratio of two colours, 1 … 21 (order does not matter). */
export function contrastRatio(a: string, b: string): number {
  const [lighter, darker] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [
    number,
    number,
  ];
  return (lighter + 0.05) / (darker + 0.05);
}

/** True when white text (antd's primary buttons, the header) on `background` is below WCAG AA. */
export function whiteTextTooFaint(background: string): boolean {
  return contrastRatio("#ffffff", background) < MIN_TEXT_CONTRAST;
}

/** "4.1:1" — one decimal, rounded down so 4.49 never reads as a passing 4.5. */
export function formatRatio(ratio: number): string {
  return `${(Math.floor(ratio * 10) / 10).toFixed(1)}:1`;
}
