import { useQuery } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import type { Schemas } from "@/api/types";

/** GET /api/tariffs (viewers may read it): the bill shows its tariff's name. Same key as the tariffs feature. */
export function useTariffList() {
  return useQuery({
    queryKey: ["tariffs"],
    queryFn: async ({ signal }): Promise<Schemas["TariffSummary"][]> =>
      unwrap(await apiClient.GET("/api/tariffs", { signal })),
  });
}
