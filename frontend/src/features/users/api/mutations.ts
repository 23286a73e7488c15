import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiClient, ensureOk, unwrap } from "@/api/client";
import type { User, UserCreate, UserUpdate } from "@/api/types";
import { authKeys } from "@/features/auth";
import { userKeys } from "./keys";

/** After any change to users, refetch the list, and "me" (whose role or name may have changed). */
function useInvalidateUsers() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: userKeys.all }),
      queryClient.invalidateQueries({ queryKey: authKeys.me() }),
    ]);
}

/** POST /api/users */
export function useCreateUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: async (body: UserCreate): Promise<User> =>
      unwrap(await apiClient.POST("/api/users", { body })),
    onSuccess: invalidate,
  });
}

/** PATCH /api/users/{id}: name, role, active. Deactivating ends the user's sessions. */
export function useUpdateUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: async ({ id, ...body }: UserUpdate & { id: number }): Promise<User> =>
      unwrap(
        await apiClient.PATCH("/api/users/{user_id}", { params: { path: { user_id: id } }, body }),
      ),
    onSuccess: invalidate,
  });
}

/** DELETE /api/users/{id} */
export function useDeleteUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: async (id: number): Promise<void> =>
      ensureOk(
        await apiClient.DELETE("/api/users/{user_id}", { params: { path: { user_id: id } } }),
      ),
    onSuccess: invalidate,
  });
}

/** POST /api/users/{id}/unlock: clear a lockout after failed logins. */
export function useUnlockUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: async (id: number): Promise<User> =>
      unwrap(
        await apiClient.POST("/api/users/{user_id}/unlock", {
          params: { path: { user_id: id } },
        }),
      ),
    onSuccess: invalidate,
  });
}

/** POST /api/users/{id}/password: set a new password; the user's sessions end. */
export function useResetUserPassword() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: async ({ id, password }: { id: number; password: string }): Promise<User> =>
      unwrap(
        await apiClient.POST("/api/users/{user_id}/password", {
          params: { path: { user_id: id } },
          body: { password },
        }),
      ),
    onSuccess: invalidate,
  });
}
