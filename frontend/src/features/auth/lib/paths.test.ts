import { describe, expect, it } from "vitest";
import { loginPath, safeNextPath } from "./paths";

describe("safeNextPath", () => {
  it.each([
    ["/settings/users", "/settings/users"],
    ["/settings/users?tab=1#x", "/settings/users?tab=1#x"],
    ["/", "/"],
  ])("accepts the relative path %s", (next, expected) => {
    expect(safeNextPath(next)).toBe(expected);
  });

  it.each([
    [null],
    [""],
    ["settings"],
    ["//evil.example/"],
    ["/\\evil.example"],
    ["https://evil.example/"],
    ["javascript:alert(1)"],
    ["/\t/evil.example"],
  ])("falls back to / for %s", (next) => {
    expect(safeNextPath(next)).toBe("/");
  });
});

describe("loginPath", () => {
  it("carries where the user was going, readable", () => {
    expect(loginPath("/settings/users")).toBe("/login?next=/settings/users");
    expect(loginPath("/a?b=1&c=2")).toBe("/login?next=/a%3Fb%3D1%26c%3D2");
    expect(new URLSearchParams(loginPath("/a?b=1&c=2").split("?")[1]).get("next")).toBe(
      "/a?b=1&c=2",
    );
  });

  it("needs no next for the home page", () => {
    expect(loginPath("/")).toBe("/login");
  });
});
