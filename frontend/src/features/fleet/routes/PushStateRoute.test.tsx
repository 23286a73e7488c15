import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { aViewer, meRoute, mockFetch, renderApp } from "@/test/utils";

const client = { status: "ok", database: "ok", run_mode: "client", version: "0.1.0" };

describe("Fleet push (client mode)", { timeout: 20_000 }, () => {
  it("shows where each resource's push stands, and a nav entry", async () => {
    mockFetch({
      "/api/auth/me": meRoute(aViewer),
      "/api/health": { body: client },
      "/api/fleet/push-state": {
        body: [
          {
            resource: "measurements",
            cursor: "2026-05-01T10:00:00Z",
            batch_size: 5000,
            consecutive_failures: 2,
            last_success_at: null,
            last_attempt_at: "2026-05-01T10:05:00Z",
            last_error: "admin stack answered 401",
            next_attempt_at: "2026-05-01T10:07:00Z",
            rows_pushed: 0,
          },
        ],
      },
    });
    renderApp("/fleet/push");

    const card = await screen.findByTestId("push-state", {}, { timeout: 5000 });
    const row = await within(card).findByTestId("push-state-measurements");
    expect(row).toHaveTextContent("admin stack answered 401");
    expect(within(row).getByTestId("push-last-success")).toHaveTextContent("never");
    expect(within(screen.getByTestId("nav")).getByTestId("nav-fleet-push")).toHaveAttribute(
      "href",
      "/fleet/push",
    );
    expect(screen.queryByTestId("nav-fleet")).not.toBeInTheDocument();
  });
});
