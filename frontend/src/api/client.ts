import createClient from "openapi-fetch";
import type { Middleware } from "openapi-fetch";
import type { paths } from "./schema";

/**
 * The ONE API layer. Every request to the backend goes through `apiClient`;
 * components never call `fetch` directly. Feature code wraps it in
 * TanStack Query hooks under `src/features/<feature>/api/`.
 *
 * `fetch` is resolved at call time (not captured at import time) so tests
 * and dev tools that replace `globalThis.fetch` take effect.
 */
export const apiClient = createClient<paths>({
  baseUrl: "",
  credentials: "same-origin",
  fetch: (request: Request) => globalThis.fetch(request),
});

// ---------------------------------------------------------------- CSRF

export const CSRF_COOKIE = "portal_csrf";
export const CSRF_HEADER = "X-CSRF-Token";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The value of a cookie readable by script (the session cookie itself is HttpOnly). */
export function readCookie(name: string): string | undefined {
  for (const part of document.cookie.split(";")) {
    const [rawKey, ...rest] = part.split("=");
    if (rawKey?.trim() === name) return decodeURIComponent(rest.join("=").trim());
  }
  return undefined;
}

/**
 * Double-submit CSRF: every state-changing request echoes the `portal_csrf`
 * cookie in the `X-CSRF-Token` header. The server answers 403 without it.
 */
export const csrfMiddleware: Middleware = {
  onRequest({ request }) {
    if (SAFE_METHODS.has(request.method.toUpperCase())) return undefined;
    const token = readCookie(CSRF_COOKIE);
    if (token) request.headers.set(CSRF_HEADER, token);
    return request;
  },
};

// ---------------------------------------------------------------- session expiry

/**
 * Endpoints whose 401 is an answer, not an expired session: a failed login,
 * and "who am I?" when nobody is signed in.
 */
const UNAUTHENTICATED_IS_AN_ANSWER = new Set(["/api/auth/login", "/api/auth/me"]);

type SessionExpiredListener = () => void;
const sessionExpiredListeners = new Set<SessionExpiredListener>();

/** Subscribe to "an API call answered 401: the session is gone". Returns the unsubscribe. */
export function onSessionExpired(listener: SessionExpiredListener): () => void {
  sessionExpiredListeners.add(listener);
  return () => {
    sessionExpiredListeners.delete(listener);
  };
}

/** Any 401 (outside login and /me) means the session expired or was ended elsewhere. */
export const sessionExpiryMiddleware: Middleware = {
  onResponse({ request, response }) {
    if (response.status !== 401) return undefined;
    const path = new URL(request.url, window.location.href).pathname;
    if (UNAUTHENTICATED_IS_AN_ANSWER.has(path)) return undefined;
    for (const listener of [...sessionExpiredListeners]) listener();
    return undefined;
  },
};

apiClient.use(csrfMiddleware, sessionExpiryMiddleware);

// ---------------------------------------------------------------- results

/** Thrown by query functions when the API answers with a non-2xx status. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;

  constructor(status: number, body: unknown, message?: string) {
    super(message ?? `API request failed with status ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.body = body;
  }
}

/**
 * Turn an openapi-fetch result into data-or-throw, which is what
 * TanStack Query query functions want.
 */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined) {
    throw new ApiError(result.response.status, result.error);
  }
  return result.data;
}

/** Like `unwrap`, for answers without a body (204 No Content). */
export function ensureOk(result: { error?: unknown; response: Response }): void {
  if (!result.response.ok) {
    throw new ApiError(result.response.status, result.error);
  }
}
