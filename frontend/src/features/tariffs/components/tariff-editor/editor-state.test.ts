import { describe, expect, it } from "vitest";
import { ApiError } from "@/api/client";
import { ProblemIndex } from "../../lib/problems";
import { blankTariff, eskomTouTemplate } from "../../lib/templates";
import {
  initialPaletteNames,
  notSavedText,
  rejectedProblems,
  removeVersion,
  replaceVersion,
  shownVersion,
  templateNeedsConfirm,
  topProblems,
  validationState,
  versionLabel,
} from "./editor-state";

const today = new Date(2026, 10, 27);
const blank = blankTariff(today, "UTC");
const eskom = eskomTouTemplate(today);

describe("validationState", () => {
  it.each([
    [{ hasAnswer: false, failed: false, settled: false, problemCount: 0 }, "checking"],
    [{ hasAnswer: false, failed: true, settled: true, problemCount: 0 }, "unknown"],
    [{ hasAnswer: true, failed: false, settled: false, problemCount: 2 }, "checking"],
    [{ hasAnswer: true, failed: false, settled: true, problemCount: 2 }, "invalid"],
    [{ hasAnswer: true, failed: true, settled: true, problemCount: 0 }, "valid"],
  ] as const)("%o → %s", (check, expected) => {
    expect(validationState(check)).toBe(expected);
  });
});

describe("the editor's texts", () => {
  it("labels a version by its dates", () => {
    const version = eskom.versions[0]!;
    expect(versionLabel(version)).toBe("From 2025-01-01");
    expect(versionLabel({ ...version, effective_to: "2026-01-01" })).toBe(
      "2025-01-01 → 2026-01-01",
    );
  });

  it.each([
    [1, "The tariff was not saved: 1 problem."],
    [3, "The tariff was not saved: 3 problems."],
  ])("%i problems: %s", (count, expected) => {
    expect(notSavedText(count)).toBe(expected);
  });
});

describe("editing versions", () => {
  it("puts the usual TOU periods on a new, empty tariff's palette only", () => {
    expect(initialPaletteNames(null, blank)).toEqual({ 0: ["peak", "standard", "off-peak"] });
    expect(initialPaletteNames(null, eskom)).toEqual({});
    expect(initialPaletteNames(7, blank)).toEqual({});
  });

  it("asks before a template replaces painted windows", () => {
    expect(templateNeedsConfirm(blank)).toBe(false);
    expect(templateNeedsConfirm(eskom)).toBe(true);
  });

  it("replaces and removes a version; the tab shown stays within the versions", () => {
    const withBlank = { ...eskom, versions: [...eskom.versions, blank.versions[0]!] };
    const two = replaceVersion(withBlank, 0, { ...eskom.versions[0]!, vat_percent: 16 });
    expect(two.versions.map((v) => v.vat_percent)).toEqual([16, blank.versions[0]!.vat_percent]);
    expect(removeVersion(two, 1, 1)).toEqual({
      draft: { ...two, versions: [two.versions[0]] },
      active: 0,
    });
    expect(removeVersion(two, 0, 0).active).toBe(0);
    expect(shownVersion(two, 5)).toBe(1);
  });
});

describe("a rejected save", () => {
  it("gives the problems of a 422, and nothing for other failures", () => {
    const detail = [{ loc: ["body", "name"], msg: "String should have at least 1 character" }];
    expect(rejectedProblems(new ApiError(422, { detail }))).toEqual([
      { path: "name", msg: "Required" },
    ]);
    expect(rejectedProblems(new ApiError(422, undefined))).toEqual([]);
    expect(rejectedProblems(new ApiError(500, { detail }))).toBeNull();
    expect(rejectedProblems(new Error("offline"))).toBeNull();
  });

  it("lists problems of the tariff and of its version list at the top", () => {
    const problems = new ProblemIndex([
      { path: "", msg: "The tariff overlaps" },
      { path: "versions", msg: "Versions overlap" },
      { path: "name", msg: "Required" },
    ]);
    expect(topProblems(problems)).toEqual(["The tariff overlaps", "Versions overlap"]);
  });
});
