import { useQuery } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import type { Schemas } from "@/api/types";
import { billingKeys } from "./keys";

/**
 * GET /api/tariffs (viewers may read it): the bill shows its tariff's name.
 * Read here, under billing's own key, rather than through the tariffs feature:
 * the tariff editor shows bills (tariffs imports billing), so billing must not
 * import tariffs. A tariff change invalidates `billingKeys.all`, this included.
 */
export function useTariffNames() {
  return useQuery({
    queryKey: billingKeys.tariffNames(),
    queryFn: async ({ signal }): Promise<Schemas["TariffSummary"][]> =>
      unwrap(await apiClient.GET("/api/tariffs", { signal })),
  });
}
