import { QueryClient } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { vi } from "vitest";
import type { User } from "@/api/types";
import { AppProvider } from "@/app/providers";
import { routes } from "@/app/router";

export function createTestQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, gcTime: Infinity, refetchInterval: false },
    },
  });
}

/** Render any element inside the app's providers with a fresh query client. */
export function renderWithProviders(ui: ReactElement) {
  const queryClient = createTestQueryClient();
  return { queryClient, ...render(<AppProvider queryClient={queryClient}>{ui}</AppProvider>) };
}

/** Render the full route table at `path` using an in-memory router. */
export function renderApp(path = "/") {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  return { router, ...renderWithProviders(<RouterProvider router={router} />) };
}

export type FetchAnswer = { status?: number; body?: unknown } | Error;
type FetchRoute = FetchAnswer | ((request: Request) => FetchAnswer);

/**
 * Stub `fetch` with responses keyed by pathname ("/api/health") or by method
 * and pathname ("POST /api/users"; wins over the bare path). A value may be a
 * function of the request. An `Error` makes fetch reject (network failure).
 * Unknown paths 404; a status without a body (204) has an empty body.
 */
export function mockFetch(routesByPath: Record<string, FetchRoute>) {
  // async, so that an `Error` answer becomes a rejected fetch, as a network failure does
  // eslint-disable-next-line @typescript-eslint/require-await
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input.toString(), init);
    const url = new URL(request.url, window.location.href);
    const route = routesByPath[`${request.method} ${url.pathname}`] ?? routesByPath[url.pathname];
    const answer = typeof route === "function" ? route(request) : route;
    if (answer instanceof Error) throw answer;
    if (!answer) {
      return new Response(JSON.stringify({ detail: "Not Found" }), {
        status: 404,
        headers: { "Content-Type": "application/json" },
      });
    }
    if (answer.body === undefined) return new Response(null, { status: answer.status ?? 204 });
    return new Response(JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { "Content-Type": "application/json" },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

/** The requests `fetch` received, for assertions. */
export function fetchedRequests(fetchMock: ReturnType<typeof mockFetch>): Request[] {
  return fetchMock.mock.calls.map(([input]) => input as Request);
}

export function makeUser(overrides: Partial<User> = {}): User {
  return {
    id: 1,
    email: "admin@localhost",
    name: "Ada Admin",
    role: "admin",
    is_active: true,
    is_locked: false,
    locked_until: null,
    failed_attempts: 0,
    last_login_at: "2026-01-02T03:04:05Z",
    created_at: "2026-01-01T00:00:00Z",
    ...overrides,
  };
}

export const anAdmin = makeUser();
export const aViewer = makeUser({
  id: 2,
  email: "viewer@example.com",
  name: "Vera Viewer",
  role: "viewer",
});

/** GET /api/auth/me answers with this user (or 401 for `null`). */
export function meRoute(user: User | null): FetchAnswer {
  return user
    ? { body: user }
    : { status: 401, body: { detail: "not signed in, or the session has expired: log in again" } };
}
