import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import type { User } from "@/api/types";
import { authKeys } from "./keys";

/** GET /api/auth/me: the signed-in user, or `null` when nobody is (401). */
export async function getMe(signal?: AbortSignal): Promise<User | null> {
  const result = await apiClient.GET("/api/auth/me", { signal });
  if (result.response.status === 401) return null;
  return unwrap(result);
}

export const meQueryOptions = () =>
  queryOptions({
    queryKey: authKeys.me(),
    queryFn: ({ signal }) => getMe(signal),
  });

/** The signed-in user (`data` is `null` for nobody). */
export function useMe() {
  return useQuery(meQueryOptions());
}
