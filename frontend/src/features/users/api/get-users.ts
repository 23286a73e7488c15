import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import type { User } from "@/api/types";

export const usersQueryKey = ["users"] as const;

/** GET /api/users (admin only). */
export async function getUsers(signal?: AbortSignal): Promise<User[]> {
  return unwrap(await apiClient.GET("/api/users", { signal }));
}

export const usersQueryOptions = () =>
  queryOptions({
    queryKey: usersQueryKey,
    queryFn: ({ signal }) => getUsers(signal),
  });

export function useUsers() {
  return useQuery(usersQueryOptions());
}
