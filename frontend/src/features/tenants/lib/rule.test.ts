import { describe, expect, it } from "vitest";
import { aTenant } from "../testing/fixtures";
import { formFromTenant, ruleSummary, tenantWriteFromForm } from "./rule";

describe("tenantWriteFromForm", () => {
  it.each([
    {
      name: "pass-through by energy: no tariff, no share",
      values: { name: " Grocer ", kind: "pass_through", apportion: "energy", tariff_id: 7 },
      rule: {
        kind: "pass_through",
        apportion: "energy",
        tariff_id: null,
        fixed_share_percent: null,
      },
    },
    {
      name: "fixed shares keep the share",
      values: {
        name: "A",
        kind: "pass_through",
        apportion: "fixed_shares",
        fixed_share_percent: 30,
      },
      rule: { apportion: "fixed_shares", fixed_share_percent: 30 },
    },
    {
      name: "a share is dropped once the apportioning is not fixed shares",
      values: { name: "A", kind: "pass_through", apportion: "energy", fixed_share_percent: 30 },
      rule: { fixed_share_percent: null },
    },
    {
      name: "own tariff: the tariff, no apportioning",
      values: { name: "A", kind: "own_tariff", tariff_id: 7, apportion: "energy" },
      rule: { kind: "own_tariff", tariff_id: 7, apportion: null },
    },
    {
      name: "empty mark-up and fee are 0, an empty cap is no cap",
      values: { name: "A", kind: "pass_through", markup_percent: null, admin_fee: null },
      rule: { markup_percent: 0, admin_fee: 0, markup_cap: null, apportion: "energy" },
    },
  ] as const)("$name", ({ values, rule }) => {
    const body = tenantWriteFromForm(values);
    expect(body.rule).toMatchObject(rule);
  });

  it("trims the name and sends blank reference and e-mail as null", () => {
    const body = tenantWriteFromForm({
      name: "  Grocer ",
      reference: "  ",
      contact_email: "",
      kind: "pass_through",
    });
    expect(body).toMatchObject({ name: "Grocer", reference: null, contact_email: null });
  });

  it("round-trips a tenant through the form", () => {
    const { name, reference, contact_email, rule } = aTenant;
    expect(tenantWriteFromForm(formFromTenant(aTenant))).toEqual({
      name,
      reference,
      contact_email,
      rule,
    });
  });
});

describe("ruleSummary", () => {
  it.each([
    [
      aTenant.rule,
      undefined,
      "Pass-through · by coincident demand · mark-up 5 % (cap 500.00) · fee 150.00",
    ],
    [
      {
        ...aTenant.rule,
        apportion: "fixed_shares",
        fixed_share_percent: 25,
        markup_percent: 0,
        admin_fee: 0,
      },
      undefined,
      "Pass-through · fixed share 25 %",
    ],
    [
      { ...aTenant.rule, kind: "own_tariff", tariff_id: 7, markup_cap: null, admin_fee: 0 },
      "Megaflex",
      "Own tariff: Megaflex · mark-up 5 %",
    ],
  ] as const)("%o → %s", (rule, tariff, text) => {
    expect(ruleSummary(rule, tariff)).toBe(text);
  });
});
