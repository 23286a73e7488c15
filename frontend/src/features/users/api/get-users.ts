import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import type { User } from "@/api/types";
import { userKeys } from "./keys";

/** GET /api/users (admin only). */
export async function getUsers(signal?: AbortSignal): Promise<User[]> {
  return unwrap(await apiClient.GET("/api/users", { signal }));
}

export const usersQueryOptions = () =>
  queryOptions({
    queryKey: userKeys.all,
    queryFn: ({ signal }) => getUsers(signal),
  });

export function useUsers() {
  return useQuery(usersQueryOptions());
}
