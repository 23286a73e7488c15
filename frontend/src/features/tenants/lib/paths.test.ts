import { describe, expect, it } from "vitest";
import { monthDates, monthParam } from "./months";
import { portalAllows, tenantBillPath } from "./paths";

describe("portalAllows", () => {
  it.each([
    ["/", true],
    ["/tenants/3/bill", true],
    ["/tenants/3/bill/", true],
    ["/tenants", false],
    ["/sites", false],
    ["/settings/users", false],
    ["/tenants/3/bill/x", false],
    ["/bills", false],
  ])("%s → %s", (path, allowed) => {
    expect(portalAllows(path)).toBe(allowed);
  });

  it("links a tenant's bill of a month", () => {
    expect(tenantBillPath(3, "2026-06")).toBe("/tenants/3/bill?month=2026-06");
  });
});

describe("months", () => {
  it("takes a valid month, else the current one", () => {
    const today = new Date(2026, 11, 3);
    expect(monthParam("2026-06", today)).toBe("2026-06");
    expect(monthParam("2026-13", today)).toBe("2026-12");
    expect(monthParam(null, today)).toBe("2026-12");
  });

  it("spans a month in local dates", () => {
    expect(monthDates("2026-12")).toEqual({ start: "2026-12-01", end: "2027-01-01" });
  });
});
