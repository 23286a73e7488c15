/** Edits of a version that keep its cross-references (season and period names) consistent. */
import type { TariffDraft, VersionDraft } from "./types";

/** Period names of a version, in order of first use (windows, then rates, then `extra`). */
export function periodNames(version: VersionDraft, extra: readonly string[] = []): string[] {
  const names: string[] = [];
  const add = (n: string) => {
    if (n && !names.includes(n)) names.push(n);
  };
  version.periods.forEach((p) => add(p.name));
  version.energy_rates.forEach((r) => add(r.period));
  extra.forEach(add);
  return names;
}

export function renameSeason(version: VersionDraft, from: string, to: string): VersionDraft {
  const rename = (s: string) => (s === from ? to : s);
  return {
    ...version,
    seasons: version.seasons.map((s) => ({ ...s, name: rename(s.name) })),
    periods: version.periods.map((p) => ({ ...p, season: rename(p.season) })),
    energy_rates: version.energy_rates.map((r) => ({ ...r, season: rename(r.season) })),
    demand_charges: version.demand_charges.map((c) => ({
      ...c,
      season: c.season === null ? null : rename(c.season),
    })),
  };
}

export function removeSeason(version: VersionDraft, index: number): VersionDraft {
  const name = version.seasons[index]?.name;
  return {
    ...version,
    seasons: version.seasons.filter((_, i) => i !== index),
    periods: version.periods.filter((p) => p.season !== name),
    energy_rates: version.energy_rates.filter((r) => r.season !== name),
    demand_charges: version.demand_charges.map((c) =>
      c.season === name ? { ...c, season: null } : c,
    ),
  };
}

export function renamePeriod(version: VersionDraft, from: string, to: string): VersionDraft {
  const rename = (s: string) => (s === from ? to : s);
  return {
    ...version,
    periods: version.periods.map((p) => ({ ...p, name: rename(p.name) })),
    energy_rates: version.energy_rates.map((r) => ({ ...r, period: rename(r.period) })),
    demand_charges: version.demand_charges.map((c) => ({ ...c, periods: c.periods.map(rename) })),
  };
}

/** Remove a period name everywhere (its windows leave gaps to paint over). */
export function removePeriod(version: VersionDraft, name: string): VersionDraft {
  return {
    ...version,
    periods: version.periods.filter((p) => p.name !== name),
    energy_rates: version.energy_rates.filter((r) => r.period !== name),
    demand_charges: version.demand_charges
      .map((c) => ({ ...c, periods: c.periods.filter((p) => p !== name) }))
      .filter((c) => c.periods.length > 0),
  };
}

export type RateRow = {
  season: string;
  period: string;
  /** Index into `energy_rates`, null while the combination has no rate yet. */
  index: number | null;
  /** The season or period is not (or no longer) used by any window. */
  unused: boolean;
};

/** One row per season × period used by the windows, plus any other rates the version has. */
export function rateRows(version: VersionDraft): RateRow[] {
  const rows: RateRow[] = [];
  const indexOf = (season: string, period: string) => {
    const i = version.energy_rates.findIndex((r) => r.season === season && r.period === period);
    return i >= 0 ? i : null;
  };
  for (const season of version.seasons) {
    const used: string[] = [];
    for (const p of version.periods) {
      if (p.season === season.name && !used.includes(p.name)) used.push(p.name);
    }
    for (const period of used) {
      rows.push({
        season: season.name,
        period,
        index: indexOf(season.name, period),
        unused: false,
      });
    }
  }
  version.energy_rates.forEach((r, index) => {
    if (!rows.some((row) => row.index === index)) {
      rows.push({ season: r.season, period: r.period, index, unused: true });
    }
  });
  return rows;
}

function parseDate(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return match
    ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])))
    : null;
}

function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The first of the month after `today`, as YYYY-MM-DD. */
export function firstOfNextMonth(today = new Date()): string {
  return formatDate(new Date(Date.UTC(today.getFullYear(), today.getMonth() + 1, 1)));
}

/**
 * A new version after the latest one: a copy of it, in force from the first
 * of next month (or a month after the latest start, whichever is later); the
 * latest version, if open-ended, now ends there.
 */
export function addVersion(
  draft: TariffDraft,
  today = new Date(),
): { draft: TariffDraft; index: number } {
  const versions = draft.versions.map((v) => ({ ...v }));
  let latest = 0;
  versions.forEach((v, i) => {
    if (v.effective_from > (versions[latest]?.effective_from ?? "")) latest = i;
  });
  const base = versions[latest];
  let from = firstOfNextMonth(today);
  const baseStart = base ? parseDate(base.effective_from) : null;
  if (baseStart && formatDate(baseStart) >= from) {
    from = formatDate(
      new Date(Date.UTC(baseStart.getUTCFullYear(), baseStart.getUTCMonth() + 1, 1)),
    );
  }
  if (base && base.effective_to === null) versions[latest] = { ...base, effective_to: from };
  const copy: VersionDraft = base
    ? (JSON.parse(JSON.stringify({ ...base, effective_to: null })) as VersionDraft)
    : {
        effective_from: from,
        effective_to: null,
        vat_percent: 15,
        seasons: [{ name: "all year", months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] }],
        periods: [],
        energy_rates: [],
        fixed_charges: [],
        demand_charges: [],
        reactive_charge: null,
      };
  copy.effective_from = from;
  versions.push(copy);
  return { draft: { ...draft, versions }, index: versions.length - 1 };
}
