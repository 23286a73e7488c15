import { describe, expect, it } from "vitest";
import { aReport } from "../testing/fixtures";
import {
  completenessDetail,
  formatChange,
  formatCompleteness,
  formatGap,
  formatPowerFactor,
  formatSiteTime,
  hasGaps,
} from "./report";

const TZ = "Africa/Johannesburg";

describe("the report's figures", () => {
  it("shows instants in the site's time zone", () => {
    expect(formatSiteTime("2026-11-14T08:30:00Z", TZ)).toBe("14 Nov 2026, 10:30");
  });

  it("names each gap with its device, the end's date only on another day", () => {
    const [gap] = aReport.completeness.gaps;
    expect(formatGap(gap!, TZ)).toBe("Incomer: 9 Nov 2026, 02:00 – 07:00");
    expect(formatGap({ ...gap!, end: "2026-11-10T07:00:00+02:00" }, TZ)).toBe(
      "Incomer: 9 Nov 2026, 02:00 – 10 Nov 2026, 07:00",
    );
  });

  it("reads completeness, power factor and changes", () => {
    expect(formatCompleteness(aReport.completeness)).toBe("99.3 %");
    expect(formatCompleteness({ ...aReport.completeness, percent: null })).toBe("—");
    expect(completenessDetail(aReport.completeness)).toBe(
      "2,860 of 2,880 quarter-hours with readings",
    );
    expect(hasGaps(aReport)).toBe(true);
    expect(formatPowerFactor(0.943)).toBe("0.94");
    expect(formatPowerFactor(null)).toBe("—");
    expect(formatChange(3.06)).toBe("+3.1 %");
    expect(formatChange(-2)).toBe("−2 %");
    expect(formatChange(null)).toBe("—");
  });
});
