import { describe, expect, it } from "vitest";
import { eskomTouTemplate, flatRateTemplate } from "./templates";
import { draftOf, payloadOf } from "./types";
import type { TariffIn } from "./types";

const today = new Date(2026, 10, 27);

describe("the editor's draft ↔ the API document", () => {
  it.each([
    ["Eskom-style TOU", eskomTouTemplate(today)],
    ["flat rate", flatRateTemplate(today, "Europe/Berlin")],
  ])("a %s draft is sent as is and reads back the same", (_, draft) => {
    expect(draftOf(payloadOf(draft))).toEqual(draft);
  });

  it("fills in what the document may leave out", () => {
    const version = eskomTouTemplate(today).versions[0]!;
    const document = {
      name: "Sparse",
      currency: "EUR",
      timezone: "UTC",
      public_holidays: { calendar: "DE", overrides: [{ date: "2026-12-24" }] },
      versions: [
        {
          effective_from: "2026-01-01",
          vat_percent: 19,
          seasons: version.seasons,
          periods: version.periods,
          energy_rates: version.energy_rates,
          reactive_charge: { rate: 0.1 },
        },
      ],
    } as unknown as TariffIn;
    const draft = draftOf(document);
    expect(draft.public_holidays).toEqual({
      calendar: "DE",
      treat_as: "sun",
      overrides: [{ date: "2026-12-24", treat_as: null }],
    });
    expect(draft.versions[0]).toMatchObject({
      effective_to: null,
      fixed_charges: [],
      demand_charges: [],
      reactive_charge: { name: "Reactive energy", rate: 0.1, free_share: 0.3 },
    });
  });

  it("copies the lists, so editing the draft leaves the document alone", () => {
    const document = payloadOf(eskomTouTemplate(today));
    const draft = draftOf(document);
    draft.versions[0]!.periods[0]!.days.push("sat");
    draft.versions[0]!.seasons[0]!.months.push(9);
    expect(document.versions[0]!.periods[0]!.days).toEqual(["mon", "tue", "wed", "thu", "fri"]);
    expect(document.versions[0]!.seasons[0]!.months).toEqual([6, 7, 8]);
  });
});
