import { useMutation } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { apiClient, ensureOk, unwrap } from "@/api/client";
import { LOGIN_PATH } from "../lib/paths";

/**
 * After a logout, go to the login page; it clears the query cache on arrival
 * (`signedOut` tells it to forget the cached user too). Clearing here instead
 * would let the route guard see "nobody" first and add a `?next=` to the URL.
 */
function useGoToLogin() {
  const navigate = useNavigate();
  return () => navigate(LOGIN_PATH, { replace: true, state: { signedOut: true } });
}

/** POST /api/auth/logout: end this session. */
export function useLogout() {
  const goToLogin = useGoToLogin();
  return useMutation({
    mutationFn: async () => ensureOk(await apiClient.POST("/api/auth/logout")),
    onSettled: goToLogin,
  });
}

/** POST /api/auth/logout-all: end every session of this user, this one included. */
export function useLogoutEverywhere() {
  const goToLogin = useGoToLogin();
  return useMutation({
    mutationFn: async () => unwrap(await apiClient.POST("/api/auth/logout-all")),
    onSettled: goToLogin,
  });
}
