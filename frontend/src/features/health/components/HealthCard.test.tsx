import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Health } from "@/api/types";
import { mockFetch, renderWithProviders } from "@/test/utils";
import { HealthCard } from "./HealthCard";

const healthy: Health = {
  status: "ok",
  database: "ok",
  run_mode: "standalone",
  version: "1.2.3",
};

describe("HealthCard", () => {
  it("shows a loading state, then the values from GET /api/health", async () => {
    const fetchMock = mockFetch({ "/api/health": { body: healthy } });
    renderWithProviders(<HealthCard />);

    const card = screen.getByTestId("health-card");
    expect(within(card).getByText("System status")).toBeInTheDocument();
    expect(screen.getByTestId("health-loading")).toBeInTheDocument();

    expect(await screen.findByTestId("health-status")).toHaveTextContent("ok");
    expect(screen.getByTestId("health-database")).toHaveTextContent("ok");
    expect(screen.getByTestId("health-run-mode")).toHaveTextContent("standalone");
    expect(screen.getByTestId("health-version")).toHaveTextContent("1.2.3");
    expect(screen.queryByTestId("health-loading")).not.toBeInTheDocument();

    // the app's providers also ask for the brand (GET /api/branding)
    const requests = fetchMock.mock.calls
      .map(([input]) => input)
      .filter((input) => new URL((input as Request).url).pathname !== "/api/branding");
    expect(requests).toHaveLength(1);
    const request = requests[0];
    expect(request).toBeInstanceOf(Request);
    expect(new URL((request as Request).url).pathname).toBe("/api/health");
    expect((request as Request).method).toBe("GET");
  });

  it("leaves out the run mode and version when the API does not tell them (signed out)", async () => {
    mockFetch({ "/api/health": { body: { status: "ok", database: "ok" } } });
    renderWithProviders(<HealthCard />);

    expect(await screen.findByTestId("health-status")).toHaveTextContent("ok");
    expect(screen.getByTestId("health-database")).toHaveTextContent("ok");
    expect(screen.queryByTestId("health-run-mode")).not.toBeInTheDocument();
    expect(screen.queryByTestId("health-version")).not.toBeInTheDocument();
    expect(screen.queryByText("Run mode")).not.toBeInTheDocument();
  });

  it("shows the error state when the API cannot be reached", async () => {
    mockFetch({ "/api/health": new TypeError("Failed to fetch") });
    renderWithProviders(<HealthCard />);

    expect(await screen.findByText("The portal API is unreachable")).toBeInTheDocument();
    expect(screen.getByTestId("health-error")).toBeInTheDocument();
    expect(screen.queryByTestId("health-status")).not.toBeInTheDocument();
  });

  it("shows the error state when the API answers with a server error", async () => {
    mockFetch({ "/api/health": { status: 500, body: { detail: "boom" } } });
    renderWithProviders(<HealthCard />);

    expect(await screen.findByText("The portal API is unreachable")).toBeInTheDocument();
  });

  it("shows a degraded status when the API is up but the database is not (503)", async () => {
    const degraded: Health = { ...healthy, status: "degraded", database: "unavailable" };
    mockFetch({ "/api/health": { status: 503, body: degraded } });
    renderWithProviders(<HealthCard />);

    expect(await screen.findByTestId("health-status")).toHaveTextContent("degraded");
    expect(screen.getByTestId("health-database")).toHaveTextContent("unavailable");
    expect(screen.queryByTestId("health-error")).not.toBeInTheDocument();
  });
});
