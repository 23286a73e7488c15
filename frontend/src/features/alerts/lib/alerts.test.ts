import { describe, expect, it } from "vitest";
import { anAlert } from "../testing/fixtures";
import {
  alertFiltersFromParams,
  alertStateLabel,
  formatValue,
  hasFilters,
  valueVsThreshold,
} from "./alerts";

describe("alertFiltersFromParams", () => {
  it("opens on the firing alerts", () => {
    expect(alertFiltersFromParams(new URLSearchParams())).toEqual({
      tab: "firing",
      filters: { state: "firing" },
    });
  });

  it("asks for resolved alerts in the history, with the filters that make sense", () => {
    const { tab, filters } = alertFiltersFromParams(
      new URLSearchParams(
        "tab=history&site=2&severity=critical&since=2026-06-01T00:00:00%2B02:00&until=nonsense",
      ),
    );
    expect(tab).toBe("history");
    expect(filters).toEqual({
      state: "resolved",
      site_id: 2,
      severity: "critical",
      since: "2026-06-01T00:00:00+02:00",
    });
    expect(hasFilters(filters)).toBe(true);
  });

  it("ignores an unknown tab or severity", () => {
    expect(
      alertFiltersFromParams(new URLSearchParams("tab=everything&severity=loud&site=x")),
    ).toEqual({ tab: "firing", filters: { state: "firing" } });
    expect(alertFiltersFromParams(new URLSearchParams("tab=acknowledged")).filters).toEqual({
      state: "acknowledged",
    });
  });
});

describe("an alert's figures", () => {
  it("reads value and threshold with their unit", () => {
    expect(valueVsThreshold(anAlert)).toBe("412.5 kVA (threshold 400 kVA)");
    expect(valueVsThreshold({ value: 0.85, threshold: null, unit: null })).toBe("0.85");
    expect(formatValue(null, "kVA")).toBe("—");
    expect(formatValue(0.8567, null)).toBe("0.857");
    expect(formatValue(1250.44, "kWh")).toBe("1,250.4 kWh");
  });

  it("says firing, acknowledged or resolved", () => {
    expect(alertStateLabel(anAlert)).toBe("Firing");
    expect(
      alertStateLabel({
        state: "firing",
        acknowledged: { by_user_id: 1, by_name: "Ada", at: "2026-07-01T00:00:00Z", note: null },
      }),
    ).toBe("Acknowledged");
    expect(alertStateLabel({ state: "resolved", acknowledged: null })).toBe("Resolved");
  });
});
