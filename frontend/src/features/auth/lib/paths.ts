export const LOGIN_PATH = "/login";

/**
 * Where to go after logging in. Only same-origin relative paths are
 * accepted: "/x" yes; "//evil.example", "/\\evil.example", "https://…" and
 * anything not starting with "/" fall back to "/".
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith("/")) return "/";
  if (next.startsWith("//") || next.startsWith("/\\")) return "/";
  // Control characters (tabs, newlines) are stripped by URL parsers and could
  // turn "/\t/evil" into "//evil".
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  if (/[\u0000-\u001f]/.test(next)) return "/";
  return next;
}

/** `/login?next=<path>`; the home page needs no `next`. */
export function loginPath(next: string): string {
  const target = safeNextPath(next);
  if (target === "/") return LOGIN_PATH;
  return `${LOGIN_PATH}?next=${encodeURIComponent(target).replace(/%2F/gi, "/")}`;
}

/** History state set by logout: the login page then ignores the cached user. */
export type LoginLocationState = { signedOut?: boolean } | null | undefined;
