import {
  keepPreviousData,
  queryOptions,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { ApiError, apiClient, ensureOk, unwrap } from "@/api/client";
import { billingKeys } from "@/features/billing";
import { siteKeys } from "@/features/sites";
import { useDebounced } from "@/lib/use-debounced";
import { problemsOf } from "../lib/problems";
import type { Problem } from "../lib/problems";
import type { TariffDraft, TariffRead, TariffSummary } from "../lib/types";
import { payloadOf } from "../lib/types";
import { tariffKeys } from "./keys";

/** GET /api/tariffs */
export const tariffsQueryOptions = () =>
  queryOptions({
    queryKey: tariffKeys.all,
    queryFn: async ({ signal }): Promise<TariffSummary[]> =>
      unwrap(await apiClient.GET("/api/tariffs", { signal })),
  });

export function useTariffs() {
  return useQuery(tariffsQueryOptions());
}

/** GET /api/tariffs/{id} */
export function useTariff(id: number | null) {
  return useQuery({
    queryKey: tariffKeys.detail(id ?? 0),
    queryFn: async ({ signal }): Promise<TariffRead> =>
      unwrap(
        await apiClient.GET("/api/tariffs/{tariff_id}", {
          params: { path: { tariff_id: id ?? 0 } },
          signal,
        }),
      ),
    enabled: id !== null && id > 0,
  });
}

/** Tariffs, sites (their tariff) and bills all change together. */
function useInvalidateTariffs() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: tariffKeys.all }),
      queryClient.invalidateQueries({ queryKey: siteKeys.all }),
      queryClient.invalidateQueries({ queryKey: billingKeys.all }),
    ]);
}

/** POST /api/tariffs (201) */
export function useCreateTariff() {
  const invalidate = useInvalidateTariffs();
  return useMutation({
    mutationFn: async (draft: TariffDraft): Promise<TariffRead> =>
      unwrap(await apiClient.POST("/api/tariffs", { body: payloadOf(draft) })),
    onSuccess: invalidate,
  });
}

/** PUT /api/tariffs/{id}: replaces the tariff and all its versions. */
export function useReplaceTariff() {
  const invalidate = useInvalidateTariffs();
  return useMutation({
    mutationFn: async ({ id, draft }: { id: number; draft: TariffDraft }): Promise<TariffRead> =>
      unwrap(
        await apiClient.PUT("/api/tariffs/{tariff_id}", {
          params: { path: { tariff_id: id } },
          body: payloadOf(draft),
        }),
      ),
    onSuccess: invalidate,
  });
}

/** DELETE /api/tariffs/{id}: 409 while a site uses it. */
export function useDeleteTariff() {
  const invalidate = useInvalidateTariffs();
  return useMutation({
    mutationFn: async (id: number): Promise<void> =>
      ensureOk(
        await apiClient.DELETE("/api/tariffs/{tariff_id}", { params: { path: { tariff_id: id } } }),
      ),
    onSuccess: invalidate,
  });
}

/** PATCH /api/sites/{id} {tariff_id}: put a site on a tariff (or none). */
export function useAssignTariff() {
  const invalidate = useInvalidateTariffs();
  return useMutation({
    mutationFn: async ({ siteId, tariffId }: { siteId: number; tariffId: number | null }) =>
      unwrap(
        await apiClient.PATCH("/api/sites/{site_id}", {
          params: { path: { site_id: siteId } },
          body: { tariff_id: tariffId },
        }),
      ),
    onSuccess: invalidate,
  });
}

export type ValidationResult = { valid: boolean; problems: Problem[] };

/**
 * POST /api/tariffs/validate. A shape error (a missing number, a bad time)
 * answers 422 before the consistency rules run; both are problems here.
 */
export async function validateTariff(
  draft: TariffDraft,
  signal?: AbortSignal,
): Promise<ValidationResult> {
  const { data, error, response } = await apiClient.POST("/api/tariffs/validate", {
    body: payloadOf(draft),
    signal,
  });
  if (data) return { valid: data.valid, problems: problemsOf(data.problems) };
  if (response.status === 422 && error && typeof error === "object" && "detail" in error) {
    return { valid: false, problems: problemsOf((error as { detail: unknown }).detail) };
  }
  throw new ApiError(response.status, error);
}

/** Live validation of the editor's draft, debounced; the last answer stays while the next runs. */
export function useTariffValidation(draft: TariffDraft, enabled: boolean, delayMs = 500) {
  const debounced = useDebounced(draft, delayMs);
  const query = useQuery({
    queryKey: tariffKeys.validation(debounced),
    queryFn: ({ signal }) => validateTariff(debounced, signal),
    enabled,
    placeholderData: keepPreviousData,
    staleTime: Infinity,
    gcTime: 60_000,
    retry: false,
  });
  return { ...query, settled: debounced === draft && !query.isFetching };
}
