import createClient from "openapi-fetch";
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
export function unwrap<T>(result: {
  data?: T;
  error?: unknown;
  response: Response;
}): T {
  if (result.error !== undefined || result.data === undefined) {
    throw new ApiError(result.response.status, result.error);
  }
  return result.data;
}
