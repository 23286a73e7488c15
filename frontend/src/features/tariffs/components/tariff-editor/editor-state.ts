/** The tariff editor's decisions: pure functions of the draft, its problems and save answers. */
import { ApiError } from "@/api/client";
import { problemsOf } from "../../lib/problems";
import type { Problem, ProblemIndex } from "../../lib/problems";
import type { TariffDraft, VersionDraft } from "../../lib/types";

export type ValidationState = "checking" | "valid" | "invalid" | "unknown";

/** The badge next to the save button, from the live validation query. */
export function validationState(check: {
  hasAnswer: boolean;
  failed: boolean;
  settled: boolean;
  problemCount: number;
}): ValidationState {
  if (!check.hasAnswer) return check.failed ? "unknown" : "checking";
  if (!check.settled) return "checking";
  return check.problemCount ? "invalid" : "valid";
}

/** "1 problem", "3 problems". */
export function problemCount(count: number): string {
  return count === 1 ? "1 problem" : `${count} problems`;
}

/** The tab of a version: "From 2026-04-01", or "2025-04-01 → 2026-03-31". */
export function versionLabel(version: VersionDraft): string {
  return version.effective_to
    ? `${version.effective_from} → ${version.effective_to}`
    : `From ${version.effective_from}`;
}

/** Period names on each version's palette before any window uses them. */
export type PaletteNames = Record<number, string[]>;

/** A new, empty tariff starts with the usual TOU periods on the palette. */
export function initialPaletteNames(tariffId: number | null, initial: TariffDraft): PaletteNames {
  const names: PaletteNames = {};
  if (tariffId === null && initial.versions.every((v) => v.periods.length === 0)) {
    names[0] = ["peak", "standard", "off-peak"];
  }
  return names;
}

/** Replacing the tariff by a template asks first when windows were painted. */
export function templateNeedsConfirm(draft: TariffDraft): boolean {
  return draft.versions.some((v) => v.periods.length > 0);
}

export function replaceVersion(draft: TariffDraft, v: number, version: VersionDraft): TariffDraft {
  return { ...draft, versions: draft.versions.map((x, i) => (i === v ? version : x)) };
}

/** Remove version `v`; the tab shown stays put, or moves left when it was the last. */
export function removeVersion(
  draft: TariffDraft,
  v: number,
  active: number,
): { draft: TariffDraft; active: number } {
  return {
    draft: { ...draft, versions: draft.versions.filter((_, i) => i !== v) },
    active: Math.max(0, Math.min(active, draft.versions.length - 2)),
  };
}

/** The tab shown: `active`, or the last one when `active` is past the end. */
export function shownVersion(draft: TariffDraft, active: number): number {
  return Math.min(active, draft.versions.length - 1);
}

/** The server's 422 problems of a rejected save; `null` for any other failure. */
export function rejectedProblems(error: unknown): Problem[] | null {
  if (!(error instanceof ApiError) || error.status !== 422) return null;
  const body = error.body as { detail?: unknown } | undefined;
  return problemsOf(body?.detail);
}

/** "The tariff was not saved: 2 problems." */
export function notSavedText(count: number): string {
  return `The tariff was not saved: ${problemCount(count)}.`;
}

/** Problems of the tariff as a whole and of its list of versions: listed at the top. */
export function topProblems(problems: ProblemIndex): string[] {
  return [...problems.at(""), ...problems.at("versions")];
}
