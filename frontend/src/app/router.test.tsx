import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { mockFetch, renderApp } from "@/test/utils";

const healthy = { status: "ok", database: "sqlite", run_mode: "standalone", version: "0.1.0" };

describe("app routes", () => {
  it("renders the shell and the dashboard at /", async () => {
    mockFetch({ "/api/health": { body: healthy } });
    renderApp("/");

    expect(screen.getByTestId("app-header")).toBeInTheDocument();
    expect(screen.getByTestId("product-name")).toHaveTextContent("Power Portal");
    const nav = screen.getByTestId("nav");
    expect(nav).toHaveTextContent("Dashboard");
    expect(nav).toHaveTextContent("Settings");
    expect(screen.getByTestId("health-card")).toBeInTheDocument();
    expect(await screen.findByTestId("health-version")).toHaveTextContent("0.1.0");
  });

  it("renders the settings placeholder at /settings", () => {
    mockFetch({});
    renderApp("/settings");

    expect(screen.getByTestId("settings-placeholder")).toBeInTheDocument();
    expect(screen.queryByTestId("not-found")).not.toBeInTheDocument();
  });

  it("renders NotFound for an unknown client route, with a link home", () => {
    mockFetch({});
    renderApp("/no/such/page");

    expect(screen.getByTestId("not-found")).toBeInTheDocument();
    expect(screen.getByText("Page not found")).toBeInTheDocument();
    expect(screen.getByTestId("not-found-home")).toHaveAttribute("href", "/");
    // Still inside the app shell.
    expect(screen.getByTestId("app-header")).toBeInTheDocument();
  });
});
