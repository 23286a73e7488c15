import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import type { LoginRequest, User } from "@/api/types";
import { authKeys, isMeQueryKey } from "./keys";

export async function login(body: LoginRequest): Promise<User> {
  return unwrap(await apiClient.POST("/api/auth/login", { body }));
}

/** POST /api/auth/login; on success the cache holds the new user and nothing of anyone before. */
export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: login,
    onSuccess: (user) => {
      queryClient.removeQueries({ predicate: (query) => !isMeQueryKey(query.queryKey) });
      queryClient.setQueryData(authKeys.me(), user);
    },
  });
}
