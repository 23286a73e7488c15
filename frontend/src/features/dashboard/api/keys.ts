import type { DateRange } from "../lib/date-range";
import type { ChartMeter, Interval, Scope } from "../types";

/** The dashboard's query keys (a site's or a device's measurements), spelled once. */
export const dashboardKeys = {
  all: ["dashboard"] as const,
  /** GET /api/{sites|devices}/{id}/summary?start&end */
  summary: (scope: Scope | undefined, range: DateRange) =>
    [...dashboardKeys.all, "summary", scope?.kind, scope?.id, range.start, range.end] as const,
  /** GET /api/{sites|devices}/{id}/energy?start&end&interval */
  energy: (scope: Scope | undefined, range: DateRange, interval: Interval) =>
    [
      ...dashboardKeys.all,
      "energy",
      scope?.kind,
      scope?.id,
      range.start,
      range.end,
      interval,
    ] as const,
  /** GET /api/{devices|virtual-meters}/{id}/series for power_kw */
  powerSeries: (
    meter: Pick<ChartMeter, "id" | "virtual">,
    request: { start: string; end: string; maxPoints: number },
  ) =>
    [
      ...dashboardKeys.all,
      "series",
      meter.virtual ? "virtual" : "device",
      meter.id,
      "power_kw",
      request.start,
      request.end,
      request.maxPoints,
    ] as const,
};
