import { describe, expect, it } from "vitest";
import { ApiError } from "@/api/client";
import { fieldProblems } from "@/api/errors";
import { aRule } from "../testing/fixtures";
import type { RuleKind } from "../types";
import {
  flattenRuleErrors,
  formFieldOf,
  formFromRule,
  paramsFromForm,
  ruleUpdateFromForm,
  ruleWriteFromForm,
} from "./rule-form";
import type { RuleFormValues } from "./rule-form";

function values(overrides: Partial<RuleFormValues>): RuleFormValues {
  return { ...formFromRule(), name: "Rule", site_id: 1, ...overrides };
}

describe("paramsFromForm", () => {
  it.each<[RuleKind, Partial<RuleFormValues>, Record<string, unknown>]>([
    ["offline", { minutes: 30 }, { minutes: 30 }],
    ["gap", { minutes: 60 }, { minutes: 60 }],
    [
      "demand_above",
      { unit: "kva", threshold: 400, clear_below: 380 },
      { unit: "kva", threshold: 400, clear_below: 380 },
    ],
    ["peak_exceeding", { margin_percent: 5 }, { margin_percent: 5 }],
    [
      "power_factor_below",
      { threshold: 0.9, clear_above: 0.92, over_minutes: 60 },
      { threshold: 0.9, clear_above: 0.92, over_minutes: 60 },
    ],
    [
      "voltage_band",
      { low_v: 207, high_v: 253, hysteresis_v: 2 },
      { low_v: 207, high_v: 253, hysteresis_v: 2 },
    ],
    [
      "phase_unbalance",
      { threshold_percent: 5, clear_below_percent: 4, of: "current" },
      { threshold_percent: 5, clear_below_percent: 4, of: "current" },
    ],
    ["daily_energy_above_baseline", { percent: 30, weeks: 4 }, { percent: 30, weeks: 4 }],
    [
      "out_of_hours_load",
      {
        threshold_kw: 50,
        clear_below_kw: null,
        schedule: [{ days: ["fri", "mon"], start: "07:00", end: "18:00" }],
      },
      {
        threshold_kw: 50,
        schedule: {
          timezone: "site",
          windows: [{ days: ["mon", "fri"], start: "07:00", end: "18:00" }],
        },
      },
    ],
  ])("%s sends only its own parameters", (kind, given, expected) => {
    expect(paramsFromForm(values({ kind, ...given }))).toEqual(expected);
  });

  it("leaves an empty clear value out (the API then clears at the threshold)", () => {
    expect(
      paramsFromForm(values({ kind: "demand_above", threshold: 400, clear_below: null })),
    ).toEqual({ unit: "auto", threshold: 400 });
  });
});

describe("ruleWriteFromForm", () => {
  it("sends exactly one subject, and quiet hours when the kind takes them", () => {
    const body = ruleWriteFromForm(
      values({
        name: "  Incomer offline ",
        subject_kind: "device",
        site_id: 1,
        device_id: 7,
        kind: "offline",
        minutes: 30,
        quiet_hours: [{ days: ["sat"], start: "00:00", end: "24:00" }],
      }),
    );
    expect(body).toEqual({
      name: "Incomer offline",
      site_id: null,
      device_id: 7,
      virtual_meter_id: null,
      kind: "offline",
      severity: "warning",
      enabled: true,
      params: { minutes: 30 },
      for_minutes: 0,
      quiet_hours: null, // offline rules have none
    });
    expect(
      ruleWriteFromForm(
        values({
          kind: "demand_above",
          threshold: 400,
          quiet_hours: [{ days: ["sat"], start: "00:00", end: "24:00" }],
        }),
      ).quiet_hours,
    ).toEqual({ timezone: "site", windows: [{ days: ["sat"], start: "00:00", end: "24:00" }] });
  });

  it("round-trips a saved rule through the form", () => {
    const form = formFromRule(aRule);
    expect(form).toMatchObject({
      subject_kind: "site",
      site_id: 1,
      kind: "demand_above",
      threshold: 400,
      clear_below: 380,
      unit: "auto",
      quiet_hours: [{ days: ["sat", "sun"], start: "00:00", end: "24:00" }],
    });
    expect(ruleUpdateFromForm(form)).toEqual({
      name: aRule.name,
      severity: aRule.severity,
      enabled: true,
      params: aRule.params,
      for_minutes: 5,
      quiet_hours: aRule.quiet_hours,
    });
  });
});

describe("422s on the form's fields", () => {
  it.each([
    [["body", "params.threshold"], "threshold"],
    [["body", "params.schedule.windows"], "schedule"],
    [["body", "quiet_hours.windows"], "quiet_hours"],
    [["body", "rule", "params"], "params"],
    [["body", "rule", "name"], "name"],
    [["body", "site_id"], "site_id"],
  ])("%j → %s", (loc, field) => {
    expect(formFieldOf(loc)).toBe(field);
  });

  it("rewrites an API error so the shared helper finds the field", () => {
    const error = new ApiError(422, {
      detail: [{ loc: ["body", "params.clear_below"], msg: "must not be above threshold" }],
    });
    expect(fieldProblems(flattenRuleErrors(error))).toEqual([
      { field: "clear_below", message: "must not be above threshold" },
    ]);
  });
});
