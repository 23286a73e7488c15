import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { aViewer, anAdmin, fetchedRequests, meRoute, mockFetch, renderApp } from "@/test/utils";

describe("RequireAuth", () => {
  it("sends an anonymous visitor to /login?next=<where they were going>", async () => {
    mockFetch({ "/api/auth/me": meRoute(null) });
    const { router } = renderApp("/settings/users?page=2");

    expect(await screen.findByTestId("login-form")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(new URLSearchParams(router.state.location.search).get("next")).toBe(
      "/settings/users?page=2",
    );
    expect(screen.queryByTestId("app-header")).not.toBeInTheDocument();
  });

  it("sends an anonymous visitor of / to plain /login", async () => {
    mockFetch({ "/api/auth/me": meRoute(null) });
    const { router } = renderApp("/");
    expect(await screen.findByTestId("login-form")).toBeInTheDocument();
    expect(router.state.location.pathname + router.state.location.search).toBe("/login");
  });

  it("shows the app to a signed-in user", async () => {
    mockFetch({ "/api/auth/me": meRoute(anAdmin), "/api/users": { body: [anAdmin] } });
    const { router } = renderApp("/settings/users");
    expect(await screen.findByTestId("users-table")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/settings/users");
  });
});

describe("RequireRole", () => {
  it("shows 403 to a viewer who opens an admin page, and asks nothing of the admin API", async () => {
    const fetchMock = mockFetch({ "/api/auth/me": meRoute(aViewer) });
    const { router } = renderApp("/settings/users");

    expect(await screen.findByTestId("forbidden")).toBeInTheDocument();
    expect(screen.queryByTestId("users-table")).not.toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/settings/users");
    const paths = fetchedRequests(fetchMock).map((r) => new URL(r.url).pathname);
    expect(paths).not.toContain("/api/users");
  });

  it("lets an admin through", async () => {
    mockFetch({ "/api/auth/me": meRoute(anAdmin), "/api/users": { body: [anAdmin] } });
    renderApp("/settings/users");
    expect(await screen.findByTestId("users-table")).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId("forbidden")).not.toBeInTheDocument());
  });
});
