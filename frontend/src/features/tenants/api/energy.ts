import { useQueries } from "@tanstack/react-query";
import type { UseQueryResult } from "@tanstack/react-query";
import { useCallback } from "react";
import { apiClient, unwrap } from "@/api/client";
import type { Schemas } from "@/api/types";
import { dailyEnergy } from "../lib/daily-energy";
import type { DailyEnergy } from "../lib/daily-energy";
import type { MeterRef } from "../lib/meters";
import { tenantKeys } from "./keys";

export type EnergyResponse = Schemas["EnergyResponse"];

async function meterEnergy(
  meter: MeterRef,
  start: string,
  end: string,
  signal: AbortSignal,
): Promise<EnergyResponse> {
  const query = { start, end, interval: "day" as const };
  return meter.kind === "device"
    ? unwrap(
        await apiClient.GET("/api/devices/{device_id}/energy", {
          params: { path: { device_id: meter.id }, query },
          signal,
        }),
      )
    : unwrap(
        await apiClient.GET("/api/virtual-meters/{meter_id}/energy", {
          params: { path: { meter_id: meter.id }, query },
          signal,
        }),
      );
}

export type MetersDailyEnergy = { pending: boolean; error: unknown; daily: DailyEnergy | null };

/**
 * Energy per local day of each meter over [start, end) (local dates), combined into one
 * series per meter. For a tenant user the API limits each meter to the instants the tenant
 * held it.
 */
export function useMetersDailyEnergy(
  meters: readonly { ref: MeterRef; name: string }[],
  start: string,
  end: string,
): MetersDailyEnergy {
  const names = meters.map((m) => m.name).join("\u0000");
  const combine = useCallback(
    (results: UseQueryResult<EnergyResponse>[]): MetersDailyEnergy => {
      const labels = names.split("\u0000");
      const failed = results.find((r) => r.isError);
      const datas = results.map((r) => r.data);
      return {
        pending: results.some((r) => r.isPending),
        error: failed?.error ?? null,
        daily: datas.every((d) => d !== undefined)
          ? dailyEnergy(datas.map((d, i) => ({ name: labels[i] ?? "", points: d.points })))
          : null,
      };
    },
    [names],
  );
  return useQueries({
    queries: meters.map(({ ref }) => ({
      queryKey: tenantKeys.energy(ref.kind, ref.id, start, end),
      queryFn: ({ signal }: { signal: AbortSignal }) => meterEnergy(ref, start, end, signal),
      enabled: start < end,
    })),
    combine,
  });
}
