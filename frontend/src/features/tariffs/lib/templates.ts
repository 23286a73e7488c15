/** Starting points for a new tariff. */
import type { PeriodDraft, TariffDraft, VersionDraft } from "./types";
import { DAYS } from "./types";

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"] as const;

/** Templates start on 1 January of last year, so last month's bill preview works at once. */
export function templateStart(today = new Date()): string {
  return `${today.getFullYear() - 1}-01-01`;
}

function p(
  name: string,
  season: string,
  days: readonly PeriodDraft["days"][number][],
  start: string,
  end: string,
): PeriodDraft {
  return { name, season, days: [...days], start, end };
}

/** Eskom Megaflex-like time of use: a high-demand season (Jun–Aug) and a low one. */
export function eskomTouTemplate(today = new Date()): TariffDraft {
  const periods: PeriodDraft[] = [
    p("peak", "high", WEEKDAYS, "06:00", "09:00"),
    p("peak", "high", WEEKDAYS, "17:00", "19:00"),
    p("standard", "high", WEEKDAYS, "09:00", "17:00"),
    p("standard", "high", WEEKDAYS, "19:00", "22:00"),
    p("off-peak", "high", WEEKDAYS, "22:00", "06:00"),
    p("peak", "low", WEEKDAYS, "07:00", "10:00"),
    p("peak", "low", WEEKDAYS, "18:00", "20:00"),
    p("standard", "low", WEEKDAYS, "06:00", "07:00"),
    p("standard", "low", WEEKDAYS, "10:00", "18:00"),
    p("standard", "low", WEEKDAYS, "20:00", "22:00"),
    p("off-peak", "low", WEEKDAYS, "22:00", "06:00"),
  ];
  for (const season of ["high", "low"]) {
    periods.push(
      p("standard", season, ["sat"], "07:00", "12:00"),
      p("standard", season, ["sat"], "18:00", "20:00"),
      p("off-peak", season, ["sat"], "12:00", "18:00"),
      p("off-peak", season, ["sat"], "20:00", "07:00"),
      p("off-peak", season, ["sun"], "00:00", "24:00"),
    );
  }
  const rates: [string, string, number][] = [
    ["high", "peak", 6.4138],
    ["high", "standard", 1.9531],
    ["high", "off-peak", 1.0638],
    ["low", "peak", 2.0905],
    ["low", "standard", 1.4406],
    ["low", "off-peak", 0.9148],
  ];
  const version: VersionDraft = {
    effective_from: templateStart(today),
    effective_to: null,
    vat_percent: 15,
    seasons: [
      { name: "high", months: [6, 7, 8] },
      { name: "low", months: [1, 2, 3, 4, 5, 9, 10, 11, 12] },
    ],
    periods,
    energy_rates: rates.map(([season, period, rate]) => ({ season, period, rate, blocks: null })),
    fixed_charges: [
      { name: "Service charge", amount: 31.2, per: "day" },
      { name: "Administration charge", amount: 7.79, per: "day" },
    ],
    demand_charges: [
      {
        name: "Network demand",
        rate: 45.0,
        unit: "kVA",
        periods: ["peak", "standard"],
        season: null,
      },
    ],
    reactive_charge: { name: "Reactive energy", rate: 0.28, free_share: 0.3 },
  };
  return {
    name: "Eskom-style TOU",
    currency: "ZAR",
    timezone: "Africa/Johannesburg",
    public_holidays: { calendar: "ZA", treat_as: "sun", overrides: [] },
    versions: [version],
  };
}

/** One rate all day, every day, all year. */
export function flatRateTemplate(today = new Date(), timezone = "UTC"): TariffDraft {
  return {
    name: "Flat rate",
    currency: "ZAR",
    timezone,
    public_holidays: null,
    versions: [
      {
        effective_from: templateStart(today),
        effective_to: null,
        vat_percent: 15,
        seasons: [{ name: "all year", months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] }],
        periods: [p("all day", "all year", DAYS, "00:00", "24:00")],
        energy_rates: [{ season: "all year", period: "all day", rate: 2.5, blocks: null }],
        fixed_charges: [{ name: "Basic charge", amount: 200, per: "month" }],
        demand_charges: [],
        reactive_charge: null,
      },
    ],
  };
}

/** A blank tariff: one all-year season, nothing painted yet. */
export function blankTariff(today = new Date(), timezone = "UTC"): TariffDraft {
  const flat = flatRateTemplate(today, timezone);
  const version = flat.versions[0]!;
  return {
    ...flat,
    name: "",
    versions: [{ ...version, fixed_charges: [], energy_rates: [], periods: [] }],
  };
}
