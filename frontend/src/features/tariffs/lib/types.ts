import type { Schemas } from "@/api/types";

/** The API's tariff shapes. */
export type TariffIn = Schemas["TariffIn"];
export type TariffRead = Schemas["TariffRead"];
export type TariffSummary = Schemas["TariffSummary"];
export type Day = Schemas["Day"];

export const DAYS: readonly Day[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
export const DAY_LABELS: Record<Day, string> = {
  mon: "Mon",
  tue: "Tue",
  wed: "Wed",
  thu: "Thu",
  fri: "Fri",
  sat: "Sat",
  sun: "Sun",
};
export const MONTH_LABELS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
] as const;

/*
 * The editor's draft: the API document, except that numbers may be empty
 * while the user types. The draft is sent as is; the server's 422 names the
 * empty field, which the editor shows in place like any other problem.
 */
export type PeriodDraft = { name: string; season: string; days: Day[]; start: string; end: string };
export type SeasonDraft = { name: string; months: number[] };
export type BlockDraft = { up_to_kwh: number | null; rate: number | null };
export type EnergyRateDraft = {
  season: string;
  period: string;
  rate: number | null;
  blocks: BlockDraft[] | null;
};
export type FixedChargeDraft = { name: string; amount: number | null; per: "day" | "month" };
export type DemandChargeDraft = {
  name: string;
  rate: number | null;
  unit: "kVA" | "kW";
  periods: string[];
  season: string | null;
};
export type ReactiveChargeDraft = { name: string; rate: number | null; free_share: number | null };
export type VersionDraft = {
  effective_from: string;
  effective_to: string | null;
  vat_percent: number | null;
  seasons: SeasonDraft[];
  periods: PeriodDraft[];
  energy_rates: EnergyRateDraft[];
  fixed_charges: FixedChargeDraft[];
  demand_charges: DemandChargeDraft[];
  reactive_charge: ReactiveChargeDraft | null;
};
export type HolidayOverrideDraft = { date: string; treat_as: Day | null };
export type PublicHolidaysDraft = {
  calendar: string;
  treat_as: "sat" | "sun";
  overrides: HolidayOverrideDraft[];
};
export type TariffDraft = {
  name: string;
  currency: string;
  timezone: string;
  public_holidays: PublicHolidaysDraft | null;
  versions: VersionDraft[];
};

/** What the API returned, as an editable draft (defaults filled in). */
export function draftOf(tariff: TariffIn | TariffRead): TariffDraft {
  return {
    name: tariff.name,
    currency: tariff.currency,
    timezone: tariff.timezone,
    public_holidays: tariff.public_holidays
      ? {
          calendar: tariff.public_holidays.calendar,
          treat_as: tariff.public_holidays.treat_as ?? "sun",
          overrides: (tariff.public_holidays.overrides ?? []).map((o) => ({
            date: o.date,
            treat_as: o.treat_as ?? null,
          })),
        }
      : null,
    versions: tariff.versions.map((v) => ({
      effective_from: v.effective_from,
      effective_to: v.effective_to ?? null,
      vat_percent: v.vat_percent,
      seasons: v.seasons.map((s) => ({ name: s.name, months: [...s.months] })),
      periods: v.periods.map((p) => ({ ...p, days: [...p.days] })),
      energy_rates: v.energy_rates.map((r) => ({
        season: r.season,
        period: r.period,
        rate: r.rate,
        blocks: r.blocks ? r.blocks.map((b) => ({ up_to_kwh: b.up_to_kwh, rate: b.rate })) : null,
      })),
      fixed_charges: (v.fixed_charges ?? []).map((c) => ({ ...c })),
      demand_charges: (v.demand_charges ?? []).map((c) => ({
        name: c.name,
        rate: c.rate,
        unit: c.unit,
        periods: [...c.periods],
        season: c.season ?? null,
      })),
      reactive_charge: v.reactive_charge
        ? {
            name: v.reactive_charge.name ?? "Reactive energy",
            rate: v.reactive_charge.rate,
            free_share: v.reactive_charge.free_share ?? 0.3,
          }
        : null,
    })),
  };
}

/**
 * The request body for the draft. Empty numbers stay `null`: the server
 * answers 422 at their exact place, and the editor shows it there.
 */
export function payloadOf(draft: TariffDraft): TariffIn {
  return draft as unknown as TariffIn;
}
