import { describe, expect, it } from "vitest";
import {
  dashboardPath,
  grafanaUrl,
  isSameOrigin,
  kioskUrl,
  normaliseBaseUrl,
  slugify,
} from "./url";

const power = { uid: "power-overview", title: "Power overview", slug: "power-overview" };

describe("the Grafana frame URL", () => {
  it("is the same-origin kiosk URL in the brand's theme", () => {
    expect(kioskUrl("/grafana", power, "light")).toBe(
      "/grafana/d/power-overview/power-overview?kiosk&theme=light",
    );
    expect(kioskUrl("/grafana/", power, "dark")).toBe(
      "/grafana/d/power-overview/power-overview?kiosk&theme=dark",
    );
  });

  it("works with an absolute base URL and leaves kiosk out for the open-in-Grafana link", () => {
    expect(kioskUrl("https://grafana.example.com:3000/sub/", power, "dark")).toBe(
      "https://grafana.example.com:3000/sub/d/power-overview/power-overview?kiosk&theme=dark",
    );
    expect(grafanaUrl("/grafana", power, "light")).toBe(
      "/grafana/d/power-overview/power-overview?theme=light",
    );
  });

  it("derives the slug from the title when none is stored", () => {
    expect(dashboardPath("/grafana", { uid: "abc", title: "Plant floor — East!", slug: "" })).toBe(
      "/grafana/d/abc/plant-floor-east",
    );
    expect(dashboardPath("/grafana", { uid: "abc", title: "!!!" })).toBe("/grafana/d/abc");
  });

  it("never builds a frame from an unsafe or unset base URL", () => {
    for (const base of [
      null,
      "",
      "/",
      "javascript:alert(1)",
      "//evil.example.com",
      "/grafana/../api",
      "grafana",
      "https://u:p@grafana.example.com",
      "/grafana?x=1",
    ]) {
      expect(kioskUrl(base, power, "light"), String(base)).toBeNull();
    }
  });

  it("encodes the uid", () => {
    expect(dashboardPath("/g", { uid: "a b", title: "T" })).toBe("/g/d/a%20b/t");
  });
});

describe("base URLs", () => {
  it("normalises like the server", () => {
    expect(normaliseBaseUrl(" /tools/grafana/ ")).toBe("/tools/grafana");
    expect(normaliseBaseUrl("http://10.0.0.5:3000/")).toBe("http://10.0.0.5:3000");
    expect(normaliseBaseUrl("ftp://x")).toBeNull();
  });

  it("knows a same-origin Grafana", () => {
    expect(isSameOrigin("/grafana", "https://portal.example.com")).toBe(true);
    expect(isSameOrigin("https://portal.example.com/grafana", "https://portal.example.com")).toBe(
      true,
    );
    expect(isSameOrigin("https://grafana.example.com", "https://portal.example.com")).toBe(false);
  });

  it("slugifies like Grafana", () => {
    expect(slugify("Power overview")).toBe("power-overview");
    expect(slugify("  Fleet  ")).toBe("fleet");
  });
});
