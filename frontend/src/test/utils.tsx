import { QueryClient } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { vi } from "vitest";
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

type FetchRoute = { status?: number; body: unknown } | Error;

/**
 * Stub `fetch` with fixed responses keyed by pathname ("/api/health").
 * An `Error` value makes fetch reject (network failure). Unknown paths 404.
 */
export function mockFetch(routesByPath: Record<string, FetchRoute>) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
    const url = new URL(
      input instanceof Request ? input.url : input.toString(),
      window.location.href,
    );
    const route = routesByPath[url.pathname];
    if (route instanceof Error) throw route;
    if (!route) {
      return new Response(JSON.stringify({ detail: "Not Found" }), {
        status: 404,
        headers: { "Content-Type": "application/json" },
      });
    }
    return new Response(JSON.stringify(route.body), {
      status: route.status ?? 200,
      headers: { "Content-Type": "application/json" },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}
