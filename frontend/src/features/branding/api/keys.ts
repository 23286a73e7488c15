import type { QueryKey } from "@tanstack/react-query";

/** The branding feature's query keys: the one place they are spelled. */
export const brandingKeys = {
  /** GET /api/branding: public, kept across sign-ins. */
  all: ["branding"] as const,
};

export function isBrandingQueryKey(key: QueryKey): boolean {
  return key[0] === brandingKeys.all[0];
}
