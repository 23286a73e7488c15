import { describe, expect, it } from "vitest";
import {
  contrastRatio,
  formatRatio,
  isHexColor,
  relativeLuminance,
  whiteTextTooFaint,
} from "./contrast";

describe("contrastRatio", () => {
  it("is 21 for white on black, in either order", () => {
    expect(contrastRatio("#ffffff", "#000000")).toBeCloseTo(21, 10);
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 10);
  });

  it("is 1 for a colour on itself", () => {
    expect(contrastRatio("#1677ff", "#1677ff")).toBe(1);
  });

  it("matches published values", () => {
    // antd's default blue with white text: about 4.1, below AA
    expect(contrastRatio("#ffffff", "#1677ff")).toBeCloseTo(4.1, 1);
    // #767676 is the lightest grey that passes AA on white (4.54)
    expect(contrastRatio("#ffffff", "#767676")).toBeCloseTo(4.54, 2);
    expect(contrastRatio("#ffffff", "#0050b3")).toBeGreaterThan(7);
  });

  it("accepts upper-case hex", () => {
    expect(contrastRatio("#FFFFFF", "#0050B3")).toBe(contrastRatio("#ffffff", "#0050b3"));
  });

  it("refuses anything that is not #rrggbb", () => {
    expect(() => contrastRatio("#fff", "#000000")).toThrow();
    expect(() => relativeLuminance("red")).toThrow();
  });
});

describe("whiteTextTooFaint", () => {
  it("warns for #1677ff and light colours, not for #0050b3 or black", () => {
    expect(whiteTextTooFaint("#1677ff")).toBe(true);
    expect(whiteTextTooFaint("#ffd700")).toBe(true);
    expect(whiteTextTooFaint("#ffffff")).toBe(true);
    expect(whiteTextTooFaint("#0050b3")).toBe(false);
    expect(whiteTextTooFaint("#000000")).toBe(false);
    expect(whiteTextTooFaint("#767676")).toBe(false);
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
});
