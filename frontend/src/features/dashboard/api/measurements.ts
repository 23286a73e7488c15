import { keepPreviousData, useQueries, useQuery } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import type { DateRange } from "../lib/date-range";
import type {
  ChartMeter,
  EnergyResponse,
  Interval,
  Scope,
  SeriesResponse,
  Summary,
} from "../types";
import { dashboardKeys } from "./keys";

/** Figures for a range that includes today change as readings arrive. */
const LIVE_REFRESH_MS = 60_000;

async function getSummary(scope: Scope, range: DateRange, signal: AbortSignal): Promise<Summary> {
  const query = { start: range.start, end: range.end };
  if (scope.kind === "virtual")
    return unwrap(
      await apiClient.GET("/api/virtual-meters/{meter_id}/summary", {
        params: { path: { meter_id: scope.id }, query },
        signal,
      }),
    );
  return scope.kind === "site"
    ? unwrap(
        await apiClient.GET("/api/sites/{site_id}/summary", {
          params: { path: { site_id: scope.id }, query },
          signal,
        }),
      )
    : unwrap(
        await apiClient.GET("/api/devices/{device_id}/summary", {
          params: { path: { device_id: scope.id }, query },
          signal,
        }),
      );
}

/** GET /api/{sites|devices}/{id}/summary?start&end */
export function useSummary(scope: Scope | undefined, range: DateRange, live: boolean) {
  return useQuery({
    queryKey: dashboardKeys.summary(scope, range),
    queryFn: ({ signal }) => getSummary(scope!, range, signal),
    enabled: scope !== undefined,
    refetchInterval: live ? LIVE_REFRESH_MS : false,
    placeholderData: keepPreviousData,
  });
}

async function getEnergy(
  scope: Scope,
  range: DateRange,
  interval: Interval,
  signal: AbortSignal,
): Promise<EnergyResponse> {
  const query = { start: range.start, end: range.end, interval };
  if (scope.kind === "virtual")
    return unwrap(
      await apiClient.GET("/api/virtual-meters/{meter_id}/energy", {
        params: { path: { meter_id: scope.id }, query },
        signal,
      }),
    );
  return scope.kind === "site"
    ? unwrap(
        await apiClient.GET("/api/sites/{site_id}/energy", {
          params: { path: { site_id: scope.id }, query },
          signal,
        }),
      )
    : unwrap(
        await apiClient.GET("/api/devices/{device_id}/energy", {
          params: { path: { device_id: scope.id }, query },
          signal,
        }),
      );
}

/** GET /api/{sites|devices}/{id}/energy?start&end&interval: `null` values are gaps. */
export function useEnergy(
  scope: Scope | undefined,
  range: DateRange,
  interval: Interval,
  options: { live: boolean; enabled?: boolean },
) {
  return useQuery({
    queryKey: dashboardKeys.energy(scope, range, interval),
    queryFn: ({ signal }) => getEnergy(scope!, range, interval, signal),
    enabled: scope !== undefined && (options.enabled ?? true),
    refetchInterval: options.live ? LIVE_REFRESH_MS : false,
  });
}

export type SeriesRequest = { start: string; end: string; maxPoints: number };

async function getPowerSeries(
  meter: Pick<ChartMeter, "id" | "virtual">,
  request: SeriesRequest,
  signal: AbortSignal,
): Promise<SeriesResponse> {
  const query = {
    start: request.start,
    end: request.end,
    fields: ["power_kw"],
    max_points: request.maxPoints,
  };
  return meter.virtual
    ? unwrap(
        await apiClient.GET("/api/virtual-meters/{meter_id}/series", {
          params: { path: { meter_id: meter.id }, query },
          signal,
        }),
      )
    : unwrap(
        await apiClient.GET("/api/devices/{device_id}/series", {
          params: { path: { device_id: meter.id }, query },
          signal,
        }),
      );
}

/**
 * GET /api/{devices|virtual-meters}/{id}/series for power_kw, one query per meter
 * (all of a site's devices, or one device or virtual meter).
 */
export function usePowerSeries(
  meters: Pick<ChartMeter, "id" | "virtual">[],
  request: SeriesRequest,
  live: boolean,
) {
  return useQueries({
    queries: meters.map((meter) => ({
      queryKey: dashboardKeys.powerSeries(meter, request),
      queryFn: ({ signal }: { signal: AbortSignal }) => getPowerSeries(meter, request, signal),
      refetchInterval: live ? 5 * LIVE_REFRESH_MS : (false as const),
    })),
  });
}
