/**
 * Validation problems (`{loc, msg}` from POST /api/tariffs/validate or a
 * 422) → where the editor shows them. Pure functions.
 */
import { SLOT_MINUTES, timeOf } from "./grid";
import { DAYS } from "./types";
import type { Day } from "./types";

export type Loc = (string | number)[];

export type Problem = {
  /** The location without the leading "body", dot-joined: "versions.0.periods.3.start". */
  path: string;
  msg: string;
};

const EMPTY_LISTS: Record<string, string> = {
  periods: "No windows yet: paint the week (every minute of every day needs a period)",
  energy_rates: "No rates yet: give each season × period a rate",
  seasons: "Add a season",
  versions: "Add a version",
  days: "Pick at least one day",
  months: "Pick at least one month",
  periods_of_charge: "Pick at least one period",
};

/**
 * The server's words, minus pydantic's jargon where a plainer sentence
 * says the same for this editor.
 */
export function friendlyMessage(path: string, msg: string): string {
  const text = msg.replace(/^Value error, /, "");
  const last = path.split(".").at(-1) ?? "";
  if (/^List should have at least 1 item/.test(text)) {
    if (last === "periods" && /demand_charges/.test(path)) return EMPTY_LISTS.periods_of_charge!;
    return EMPTY_LISTS[last] ?? "Add at least one";
  }
  if (/^String should have at least 1 character/.test(text)) return "Required";
  if (/^Input should be a valid number/.test(text)) return "Enter a number";
  if (last === "currency" && text.startsWith("String should match pattern")) {
    return "A three-letter currency code, e.g. ZAR";
  }
  return text;
}

/** The problems of a validation report or of a 422 `detail` (anything else → none). */
export function problemsOf(detail: unknown): Problem[] {
  if (!Array.isArray(detail)) return [];
  const problems: Problem[] = [];
  for (const item of detail) {
    if (!item || typeof item !== "object") continue;
    const { loc, msg } = item as { loc?: unknown; msg?: unknown };
    if (!Array.isArray(loc) || typeof msg !== "string") continue;
    const parts = (loc as Loc).filter((p) => typeof p === "string" || typeof p === "number");
    if (parts[0] === "body") parts.shift();
    const path = parts.join(".");
    problems.push({ path, msg: friendlyMessage(path, msg) });
  }
  return problems;
}

const GRID_MESSAGE = new RegExp(`^season (.+), (${DAYS.join("|")}) ([01]\\d|2[0-3]):([0-5]\\d): `);

export type GridPoint = { season: string; day: Day; minute: number };

/** "season high, mon 06:00: covered by peak and standard" → {high, mon, 360}. */
export function gridPointOf(msg: string): GridPoint | null {
  const match = GRID_MESSAGE.exec(msg);
  if (!match) return null;
  return {
    season: match[1]!,
    day: match[2] as Day,
    minute: Number(match[3]) * 60 + Number(match[4]),
  };
}

/** The grid cell (its slot's start time) a message points at. */
export function gridCellOf(
  msg: string,
  slotMinutes = SLOT_MINUTES,
): { season: string; day: Day; time: string } | null {
  const point = gridPointOf(msg);
  if (!point) return null;
  const slotStart = Math.floor(point.minute / slotMinutes) * slotMinutes;
  return { season: point.season, day: point.day, time: timeOf(slotStart) };
}

export function cellTestId(season: string, day: Day, time: string): string {
  return `cell-${season}-${day}-${time}`;
}

/** Does the problem belong under version `v`'s week grid? */
export function isGridProblem(problem: Problem, v: number): boolean {
  const prefix = `versions.${v}.`;
  if (!problem.path.startsWith(prefix)) return false;
  const rest = problem.path.slice(prefix.length);
  return rest === "periods" || rest.startsWith("periods.") || gridPointOf(problem.msg) !== null;
}

/**
 * The places the editor has a field (or a row, or a section) for. A
 * problem is shown at the longest of these its path starts with.
 */
const ANCHORS: RegExp[] = [
  /^name$/,
  /^currency$/,
  /^timezone$/,
  /^public_holidays$/,
  /^public_holidays\.(calendar|treat_as|overrides)$/,
  /^public_holidays\.overrides\.\d+$/,
  /^versions\.\d+$/,
  /^versions\.\d+\.(effective_from|effective_to|vat_percent)$/,
  /^versions\.\d+\.seasons$/,
  /^versions\.\d+\.seasons\.\d+$/,
  /^versions\.\d+\.seasons\.\d+\.(name|months)$/,
  /^versions\.\d+\.periods$/,
  /^versions\.\d+\.periods\.\d+$/,
  /^versions\.\d+\.periods\.\d+\.(name|days|start|end|season)$/,
  /^versions\.\d+\.energy_rates$/,
  /^versions\.\d+\.energy_rates\.\d+$/,
  /^versions\.\d+\.energy_rates\.\d+\.(rate|blocks)$/,
  /^versions\.\d+\.fixed_charges$/,
  /^versions\.\d+\.fixed_charges\.\d+$/,
  /^versions\.\d+\.fixed_charges\.\d+\.(name|amount|per)$/,
  /^versions\.\d+\.demand_charges$/,
  /^versions\.\d+\.demand_charges\.\d+$/,
  /^versions\.\d+\.demand_charges\.\d+\.(name|rate|unit|periods|season)$/,
  /^versions\.\d+\.reactive_charge$/,
  /^versions\.\d+\.reactive_charge\.(name|rate|free_share)$/,
];

/**
 * Where a problem is shown: the longest anchor its path starts with ("" = the top of the
 * editor).
 */
export function anchorOf(path: string): string {
  const parts = path ? path.split(".") : [];
  for (let n = parts.length; n > 0; n -= 1) {
    const candidate = parts.slice(0, n).join(".");
    if (ANCHORS.some((a) => a.test(candidate))) return candidate;
  }
  return "";
}

/** Problems grouped by anchor, for O(1) look-ups while rendering. */
export class ProblemIndex {
  readonly all: readonly Problem[];
  private readonly byAnchor = new Map<string, string[]>();

  constructor(problems: readonly Problem[]) {
    this.all = problems;
    for (const p of problems) {
      const anchor = anchorOf(p.path);
      this.byAnchor.set(anchor, [...(this.byAnchor.get(anchor) ?? []), p.msg]);
    }
  }

  /** Messages shown exactly at `anchor`. */
  at(anchor: string): string[] {
    return this.byAnchor.get(anchor) ?? [];
  }

  /** How many problems are at or below `prefix` (a section, a version tab). */
  countUnder(prefix: string): number {
    return this.all.filter((p) => p.path === prefix || p.path.startsWith(`${prefix}.`)).length;
  }

  /** Problems of version `v`'s week grid (listed under it). */
  grid(v: number): Problem[] {
    return this.all.filter((p) => isGridProblem(p, v));
  }

  /** "season high, period peak has no rate" → is (season, period) of version v named? */
  missingRate(v: number, season: string, period: string): boolean {
    return this.at(`versions.${v}.energy_rates`).some(
      (msg) => msg === `season ${season}, period ${period} has no rate`,
    );
  }

  static readonly empty = new ProblemIndex([]);
}
