import type { QueryKey } from "@tanstack/react-query";

/** The auth feature's query keys: the one place they are spelled. */
export const authKeys = {
  all: ["auth"] as const,
  /** The signed-in user (GET /api/auth/me); `null` in the cache for nobody. */
  me: () => [...authKeys.all, "me"] as const,
};

/** Whether a cached query is "who am I?" (kept when the rest of a session's cache goes). */
export function isMeQueryKey(key: QueryKey): boolean {
  const me = authKeys.me();
  return key[0] === me[0] && key[1] === me[1];
}
