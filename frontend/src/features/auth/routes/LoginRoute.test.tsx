import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { anAdmin, fetchedRequests, meRoute, mockFetch, renderApp } from "@/test/utils";

const healthy = { status: "ok", database: "ok", run_mode: "standalone", version: "0.1.0" };

async function fillAndSubmit(email: string, password: string) {
  const user = userEvent.setup();
  await user.type(await screen.findByTestId("login-email"), email);
  await user.type(screen.getByTestId("login-password"), password);
  await user.click(screen.getByTestId("login-submit"));
}

describe("login page", () => {
  it("shows the product name and the form", async () => {
    mockFetch({ "/api/auth/me": meRoute(null) });
    renderApp("/login");
    expect(await screen.findByTestId("login-product-name")).toHaveTextContent("Power Portal");
    expect(screen.getByTestId("login-email")).toBeInTheDocument();
    expect(screen.getByTestId("login-password")).toBeInTheDocument();
  });

  it("validates the fields before asking the server", async () => {
    const fetchMock = mockFetch({ "/api/auth/me": meRoute(null) });
    renderApp("/login");
    const user = userEvent.setup();
    await user.type(await screen.findByTestId("login-email"), "not-an-email");
    await user.click(screen.getByTestId("login-submit"));

    expect(
      await screen.findByText("Enter an e-mail address like name@example.com"),
    ).toBeInTheDocument();
    expect(await screen.findByText("Enter your password")).toBeInTheDocument();
    expect(fetchedRequests(fetchMock).map((r) => r.method)).not.toContain("POST");
  });

  it("shows the server's error text for a wrong password (401)", async () => {
    mockFetch({
      "/api/auth/me": meRoute(null),
      "POST /api/auth/login": { status: 401, body: { detail: "wrong e-mail or password" } },
    });
    const { router } = renderApp("/login");
    await fillAndSubmit("admin@localhost", "nope-nope-nope");

    expect(await screen.findByTestId("login-error")).toHaveTextContent("wrong e-mail or password");
    expect(router.state.location.pathname).toBe("/login");
  });

  it("shows the lockout message (423)", async () => {
    const detail = "too many failed logins: the account is locked; try again in about 15 minutes";
    mockFetch({
      "/api/auth/me": meRoute(null),
      "POST /api/auth/login": { status: 423, body: { detail } },
    });
    renderApp("/login");
    await fillAndSubmit("someone@example.com", "wrong-password");

    expect(await screen.findByTestId("login-error")).toHaveTextContent(detail);
  });

  it("logs in and goes to `next`", async () => {
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(null),
      "POST /api/auth/login": { body: anAdmin },
      "/api/users": { body: [anAdmin] },
    });
    const { router } = renderApp("/login?next=/settings/users");
    await fillAndSubmit("admin@localhost", "admin-test-password-1");

    expect(await screen.findByTestId("users-table")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/settings/users");
    const login = fetchedRequests(fetchMock).find((r) => r.method === "POST");
    expect(await login?.json()).toEqual({
      email: "admin@localhost",
      password: "admin-test-password-1",
    });
  });

  it("ignores a `next` that leaves the site", async () => {
    mockFetch({
      "/api/auth/me": meRoute(null),
      "POST /api/auth/login": { body: anAdmin },
      "/api/health": { body: healthy },
    });
    const { router } = renderApp("/login?next=//evil.example/");
    await fillAndSubmit("admin@localhost", "admin-test-password-1");

    expect(await screen.findByTestId("health-card")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/");
  });

  it("redirects a signed-in user to /", async () => {
    mockFetch({ "/api/auth/me": meRoute(anAdmin), "/api/health": { body: healthy } });
    const { router } = renderApp("/login");
    await waitFor(() => expect(router.state.location.pathname).toBe("/"));
    expect(await screen.findByTestId("app-header")).toBeInTheDocument();
  });
});
