import { describe, expect, it } from "vitest";
import {
  contrastRatio,
  formatRatio,
  isHexColor,
  legibleOn,
  MIN_TEXT_CONTRAST,
  NEAR_BLACK,
  readableTextOn,
  relativeLuminance,
  solidSurface,
  WHITE,
  withLightness,
  worstContrast,
} from "./contrast";

/** Brand colours from the very light to the very dark. */
const BRANDS = [
  "#ffffff",
  "#ffff00",
  "#f5f5f5",
  "#00ff00",
  "#00bcd4",
  "#4da3ff",
  "#1677ff",
  "#ff4d4f",
  "#7f7f7f",
  "#767676",
  "#0050b3",
  "#111111",
  "#000000",
];

describe("relativeLuminance", () => {
  it.each([
    ["#ffffff", 1],
    ["#000000", 0],
    ["#ff0000", 0.21],
    ["#00ff00", 0.72],
    ["#0000ff", 0.07],
    ["#767676", 0.18],
    ["#1677ff", 0.21],
    ["#FFFF00", 0.93],
  ])("%s is %f", (hex, luminance) => {
    expect(relativeLuminance(hex)).toBeCloseTo(luminance, 2);
  });

  it("refuses anything that is not #rrggbb", () => {
    expect(() => relativeLuminance("red")).toThrow();
    expect(() => relativeLuminance("#fff")).toThrow();
  });
});

describe("contrastRatio", () => {
  it.each([
    ["#ffffff", "#000000", 21],
    ["#000000", "#ffffff", 21],
    ["#1677ff", "#1677ff", 1],
    ["#ffffff", "#1677ff", 4.1], // antd's default blue: below AA
    ["#ffffff", "#767676", 4.54], // the lightest grey that passes on white
    ["#ffffff", "#0050b3", 7.5],
    ["#FFFFFF", "#0050B3", 7.5],
  ])("%s on %s is %f", (a, b, ratio) => {
    expect(contrastRatio(a, b)).toBeCloseTo(ratio, 1);
  });

  it("rounds down, so a ratio just under 4.5 never counts as 4.5", () => {
    // #777777 on white is 4.478…
    expect(contrastRatio("#ffffff", "#777777")).toBe(4.47);
  });

  it("worstContrast is the lowest over the surfaces", () => {
    expect(worstContrast("#1677ff", ["#ffffff", "#f5f5f5"])).toBe(
      contrastRatio("#1677ff", "#f5f5f5"),
    );
  });
});

describe("readableTextOn", () => {
  it.each([
    ["#ffffff", NEAR_BLACK],
    ["#ffff00", NEAR_BLACK],
    ["#00bcd4", NEAR_BLACK],
    ["#0050b3", WHITE],
    ["#000000", WHITE],
    ["#767676", WHITE],
  ])("on %s: %s", (background, text) => {
    expect(readableTextOn(background)).toBe(text);
  });

  it.each(BRANDS)("always reaches 4.5:1 on %s", (background) => {
    expect(contrastRatio(readableTextOn(background), background)).toBeGreaterThanOrEqual(
      MIN_TEXT_CONTRAST,
    );
  });
});

describe("legibleOn (a brand colour used as text)", () => {
  it("keeps a colour that already reads", () => {
    expect(legibleOn("#0050b3", ["#ffffff"])).toBe("#0050b3");
    expect(legibleOn("#ffff00", ["#141414"])).toBe("#ffff00");
  });

  it.each(BRANDS)("darkens %s just enough to read on white and the grey page", (color) => {
    const text = legibleOn(color, ["#ffffff", "#f5f5f5"]);
    expect(worstContrast(text, ["#ffffff", "#f5f5f5"])).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
    expect(relativeLuminance(text)).toBeLessThanOrEqual(relativeLuminance(color));
  });

  it.each(BRANDS)("lightens %s to read on the dark theme's backgrounds", (color) => {
    const text = legibleOn(color, ["#141414", "#000000"]);
    expect(worstContrast(text, ["#141414", "#000000"])).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
    expect(relativeLuminance(text)).toBeGreaterThanOrEqual(relativeLuminance(color));
  });

  it("keeps the hue: a light blue becomes a darker blue", () => {
    expect(legibleOn("#4da3ff", ["#ffffff"])).toMatch(/^#00[0-9a-f]{2}[d-f][0-9a-f]$/);
  });
});

describe("solidSurface (a brand colour as a background)", () => {
  it.each([
    // colour, background, text, adjusted
    ["#0050b3", "#0050b3", WHITE, false],
    ["#000000", "#000000", WHITE, false],
    ["#1677ff", "#066dff", WHITE, true], // white reaches 3:1: darkened the rest of the way
    ["#7f7f7f", "#767676", WHITE, true],
    ["#ff4d4f", "#ee0003", WHITE, true],
    ["#ffffff", "#ffffff", NEAR_BLACK, false], // too light for white: dark text, colour kept
    ["#ffff00", "#ffff00", NEAR_BLACK, false],
    ["#00bcd4", "#00bcd4", NEAR_BLACK, false],
  ])("%s → %s with %s text", (color, background, text, adjusted) => {
    expect(solidSurface(color)).toMatchObject({ background, text, adjusted });
  });

  it.each(BRANDS)("reaches 4.5:1 on %s, either way", (color) => {
    for (const text of ["auto", "white"] as const) {
      const surface = solidSurface(color, { text });
      expect(surface.ratio).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
      expect(contrastRatio(surface.text, surface.background)).toBe(surface.ratio);
    }
  });

  it("with white text always, darkens even white", () => {
    expect(solidSurface("#ffffff", { text: "white" })).toMatchObject({
      background: "#767676",
      text: WHITE,
      adjusted: true,
    });
  });

  it("honours a stricter minimum (AAA)", () => {
    expect(solidSurface("#1677ff", { min: 7 }).ratio).toBeGreaterThanOrEqual(7);
  });
});

describe("helpers", () => {
  it("isHexColor knows the one accepted form", () => {
    expect(isHexColor("#a1B2c3")).toBe(true);
    expect(isHexColor("#abc")).toBe(false);
    expect(isHexColor("a1b2c3")).toBe(false);
    expect(isHexColor("#a1b2c3ff")).toBe(false);
    expect(isHexColor(undefined)).toBe(false);
  });

  it("formatRatio never rounds a failing ratio up to a passing one", () => {
    expect(formatRatio(21)).toBe("21.0:1");
    expect(formatRatio(4.49)).toBe("4.4:1");
    expect(formatRatio(4.5)).toBe("4.5:1");
  });

  it("withLightness keeps hue and saturation", () => {
    expect(withLightness("#ff0000", 0.95)).toBe("#ffe6e6");
  });
});
