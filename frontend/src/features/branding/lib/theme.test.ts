import { describe, expect, it } from "vitest";
import { contrastRatio, MIN_TEXT_CONTRAST, worstContrast } from "@/lib/contrast";
import { brandPalette, brandThemeConfig } from "./theme";

const BRANDS = [
  "#ffffff",
  "#ffff00",
  "#f5f5f5",
  "#00ff00",
  "#1677ff",
  "#ff4d4f",
  "#000000",
  "#111111",
  "#7f7f7f",
  "#00bcd4",
];

describe.each(["light", "dark"] as const)("brandPalette (%s)", (mode) => {
  it.each(BRANDS)("every text pair reaches 4.5:1 for %s", (primary) => {
    const palette = brandPalette({ primary_color: primary, theme: mode });
    expect(contrastRatio(palette.header.text, palette.header.background)).toBeGreaterThanOrEqual(
      MIN_TEXT_CONTRAST,
    );
    for (const fill of [palette.button.background, palette.button.hover, palette.button.active])
      expect(contrastRatio(palette.button.text, fill)).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
    expect(palette.linkRatio).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
  });
});

describe("brandPalette rules", () => {
  it("leaves a dark brand alone", () => {
    const palette = brandPalette({ primary_color: "#0050b3", theme: "light" });
    expect(palette).toMatchObject({ accent: "#0050b3", link: "#0050b3" });
    expect(palette.header.background).toBe("#0050b3");
    expect(palette.button.background).toBe("#0050b3");
  });

  it("gives a light brand near-black button text and a darker header", () => {
    const palette = brandPalette({ primary_color: "#ffff00", theme: "light" });
    expect(palette.button).toMatchObject({ background: "#ffff00", text: "#141414" });
    expect(palette.header.text).toBe("#ffffff");
    expect(palette.header.background).not.toBe("#ffff00");
  });

  it("falls back to the default colour for a bad one", () => {
    expect(brandPalette({ primary_color: "blue", theme: "light" }).primary).toBe("#1677ff");
  });
});

describe("brandThemeConfig", () => {
  it("puts the palette into antd's tokens", () => {
    const config = brandThemeConfig({ primary_color: "#ffff00", theme: "light" });
    const palette = brandPalette({ primary_color: "#ffff00", theme: "light" });
    expect(config.token?.colorPrimary).toBe(palette.accent);
    expect(config.token?.colorLink).toBe(palette.link);
    expect(config.components?.Layout).toMatchObject({
      headerBg: palette.header.background,
      headerColor: "#ffffff",
    });
    expect(config.components?.Button).toMatchObject({
      colorPrimary: "#ffff00",
      primaryColor: "#141414",
    });
  });

  it("makes tags' and errors' text read on their tints and on the page", () => {
    const config = brandThemeConfig({ primary_color: "#1677ff", theme: "light" });
    const tag = config.components?.Tag as Record<string, string>;
    expect(contrastRatio(tag.gold7 ?? "", "#fffbe6")).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
    expect(contrastRatio(tag.colorSuccess ?? "", "#f6ffed")).toBeGreaterThanOrEqual(
      MIN_TEXT_CONTRAST,
    );
    const button = config.components?.Button as Record<string, string>;
    expect(worstContrast(button.colorError ?? "", ["#ffffff", "#f5f5f5"])).toBeGreaterThanOrEqual(
      MIN_TEXT_CONTRAST,
    );
    expect(contrastRatio(button.dangerColor ?? "", button.colorError ?? "")).toBeGreaterThanOrEqual(
      MIN_TEXT_CONTRAST,
    );
  });
});
