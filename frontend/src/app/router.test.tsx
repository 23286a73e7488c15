import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { aViewer, anAdmin, fetchedRequests, meRoute, mockFetch, renderApp } from "@/test/utils";
import { routePaths } from "./router";
import checkedIn from "./routes.json";

const healthy = { status: "ok", database: "sqlite", run_mode: "standalone", version: "0.1.0" };
const expired = { status: 401, body: { detail: "not signed in, or the session has expired" } };

describe("the route list (routes.json)", () => {
  it("is every route of the router: update routes.json with a new page", () => {
    // tests/e2e/test_accessibility_ui.py audits each of these paths with axe-core
    expect(checkedIn.paths).toEqual(routePaths());
  });

  it("lists full paths: an index route as its parent's, no duplicates", () => {
    const paths = routePaths([
      { path: "/", children: [{ index: true }, { path: "a/:id" }, { children: [{ path: "b" }] }] },
      { path: "/abs", children: [{ index: true }, { path: "x" }] },
    ]);
    expect(paths).toEqual(["/", "/a/:id", "/b", "/abs", "/abs/x"]);
  });
});

describe("app routes", () => {
  it("renders the shell, the user menu and the dashboard at / for a signed-in user", async () => {
    mockFetch({ "/api/auth/me": meRoute(anAdmin), "/api/health": { body: healthy } });
    renderApp("/");

    expect(await screen.findByTestId("app-header")).toBeInTheDocument();
    expect(screen.getByTestId("product-name")).toHaveTextContent("Power Portal");
    const menu = screen.getByTestId("user-menu");
    expect(menu).toHaveTextContent("Ada Admin");
    expect(menu).toHaveTextContent("Admin");
    const nav = screen.getByTestId("nav");
    expect(nav).toHaveTextContent("Dashboard");
    expect(nav).toHaveTextContent("Settings");
    expect(within(nav).getByTestId("nav-settings-users")).toHaveAttribute(
      "href",
      "/settings/users",
    );
    expect(screen.getByTestId("health-card")).toBeInTheDocument();
    expect(await screen.findByTestId("health-version")).toHaveTextContent("0.1.0");
  });

  it("hides admin-only nav entries from a viewer", async () => {
    mockFetch({ "/api/auth/me": meRoute(aViewer), "/api/health": { body: healthy } });
    renderApp("/");

    const nav = await screen.findByTestId("nav");
    expect(nav).toHaveTextContent("Dashboard");
    expect(nav).toHaveTextContent("Alerts");
    // the only settings a viewer has: their own notifications
    expect(within(nav).getByTestId("nav-settings-notifications")).toHaveAttribute(
      "href",
      "/settings/notifications",
    );
    expect(screen.queryByTestId("nav-settings-users")).not.toBeInTheDocument();
    expect(screen.queryByTestId("nav-settings-alerts")).not.toBeInTheDocument();
    expect(screen.getByTestId("user-menu")).toHaveTextContent("Vera Viewer");
    expect(screen.getByTestId("user-menu")).toHaveTextContent("Viewer");
  });

  it("opens the first settings tab the user may see at /settings", async () => {
    mockFetch({ "/api/auth/me": meRoute(anAdmin), "/api/users": { body: [anAdmin] } });
    const { router } = renderApp("/settings");

    expect(await screen.findByTestId("users-table")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/settings/users");
    expect(screen.getByRole("tab", { name: "Users" })).toHaveAttribute("aria-selected", "true");
  });

  it("opens a viewer's own notification settings at /settings", async () => {
    mockFetch({
      "/api/auth/me": meRoute(aViewer),
      "/api/me/notification-preferences": {
        body: { email: true, severities: ["critical"], site_ids: null },
      },
    });
    const { router } = renderApp("/settings");
    expect(await screen.findByTestId("preferences-form")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/settings/notifications");
    expect(screen.getAllByRole("tab").map((tab) => tab.textContent)).toEqual(["Notifications"]);
  });

  it("renders NotFound for an unknown client route, with a link home", async () => {
    mockFetch({ "/api/auth/me": meRoute(anAdmin) });
    renderApp("/no/such/page");

    expect(await screen.findByTestId("not-found")).toBeInTheDocument();
    expect(screen.getByText("Page not found")).toBeInTheDocument();
    expect(screen.getByTestId("not-found-home")).toHaveAttribute("href", "/");
    // Still inside the app shell.
    expect(screen.getByTestId("app-header")).toBeInTheDocument();
  });

  it("sends the user to /login?next=… when an API call answers 401, then back after login", async () => {
    let sessionAlive = true;
    mockFetch({
      "/api/auth/me": () => meRoute(sessionAlive ? anAdmin : null),
      "/api/users": () => (sessionAlive ? { body: [anAdmin] } : expired),
      "POST /api/auth/login": () => {
        sessionAlive = true;
        return { body: anAdmin };
      },
    });
    const { router } = renderApp("/settings/users");
    expect(await screen.findByTestId("users-table")).toBeInTheDocument();

    // The session ends on the server; the next API call answers 401.
    sessionAlive = false;
    const user = userEvent.setup();
    await user.click(screen.getByTestId("users-refresh"));

    expect(await screen.findByTestId("login-form")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(new URLSearchParams(router.state.location.search).get("next")).toBe("/settings/users");

    await user.type(screen.getByTestId("login-email"), "admin@localhost");
    await user.type(screen.getByTestId("login-password"), "admin-test-password-1");
    await user.click(screen.getByTestId("login-submit"));

    expect(await screen.findByTestId("users-table")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/settings/users");
  });

  it("logs out: POST /api/auth/logout, then the login page without a `next`", async () => {
    let sessionAlive = true;
    const fetchMock = mockFetch({
      "/api/auth/me": () => meRoute(sessionAlive ? anAdmin : null),
      "/api/health": { body: healthy },
      "POST /api/auth/logout": () => {
        sessionAlive = false;
        return { status: 204 };
      },
    });
    const { router, queryClient } = renderApp("/");
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("user-menu"));
    await user.click(await screen.findByTestId("logout"));

    expect(await screen.findByTestId("login-form")).toBeInTheDocument();
    expect(router.state.location.pathname + router.state.location.search).toBe("/login");
    expect(fetchedRequests(fetchMock).some((r) => r.method === "POST")).toBe(true);
    await waitFor(() => expect(queryClient.getQueryData(["health"])).toBeUndefined());
    expect(queryClient.getQueryData(["auth", "me"])).toBeNull();
  });
});
