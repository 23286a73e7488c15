import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { aViewer, anAdmin, fetchedRequests, meRoute, mockFetch, renderApp } from "@/test/utils";
import { aSite, anAlert, anAlertDetail } from "../testing/fixtures";

const summary = { firing: 1, acknowledged: 0, by_severity: { critical: 1 } };

describe("Alerts", { timeout: 30_000 }, () => {
  it("lists the alerts firing, with the header badge's count", async () => {
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(aViewer),
      "/api/sites": { body: [aSite] },
      "/api/alerts": { body: [anAlert] },
      "/api/alerts/summary": { body: summary },
    });
    renderApp("/alerts");

    const row = await screen.findByTestId("alert-row-12");
    expect(row).toHaveTextContent("Main incomer demand");
    expect(row).toHaveTextContent("Incomer");
    expect(row).toHaveTextContent("Centre");
    expect(row).toHaveTextContent("412.5 kVA (threshold 400 kVA)");
    expect(within(row).getByTestId("severity-tag")).toHaveAttribute("data-severity", "critical");
    expect(within(row).getByTestId("acknowledge-12")).toBeInTheDocument();

    const badge = await screen.findByTestId("alerts-badge");
    await waitFor(() => expect(badge).toHaveAttribute("aria-label", "1 alert firing"));
    expect(badge).toHaveAttribute("href", "/alerts");
    expect(screen.getByTestId("nav-alerts")).toHaveAttribute("href", "/alerts");

    const list = fetchedRequests(fetchMock).find((r) => new URL(r.url).pathname === "/api/alerts");
    expect(new URL(list!.url).search).toBe("?state=firing");
  });

  it("says all is quiet when nothing fires, and asks for the history with its filters", async () => {
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites": { body: [aSite] },
      "/api/alerts": { body: [] },
      "/api/alerts/summary": { body: { ...summary, firing: 0 } },
    });
    const { router } = renderApp("/alerts");
    expect(await screen.findByTestId("alerts-empty")).toHaveTextContent(
      "No alerts firing — all quiet",
    );

    await router.navigate("/alerts?tab=history&severity=warning&site=1");
    expect(await screen.findByText("No alerts match these filters.")).toBeInTheDocument();
    await waitFor(() => {
      const last = fetchedRequests(fetchMock)
        .filter((r) => new URL(r.url).pathname === "/api/alerts")
        .at(-1)!;
      expect(Object.fromEntries(new URL(last.url).searchParams)).toEqual({
        state: "resolved",
        site_id: "1",
        severity: "warning",
      });
    });
  });

  it("acknowledges with a note, and shows the server's sentence on a 409", async () => {
    let posts = 0;
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(aViewer),
      "/api/sites": { body: [aSite] },
      "/api/alerts": { body: [anAlert] },
      "/api/alerts/summary": { body: summary },
      "POST /api/alerts/12/acknowledge": () =>
        ++posts === 1
          ? {
              status: 409,
              body: { detail: "alert 12 has resolved: there is nothing to acknowledge" },
            }
          : { body: anAlertDetail },
    });
    renderApp("/alerts");

    const user = userEvent.setup();
    await user.click(await screen.findByTestId("acknowledge-12"));
    await user.type(await screen.findByTestId("acknowledge-note"), "on it");
    await user.click(screen.getByTestId("acknowledge-submit"));
    expect(await screen.findByTestId("acknowledge-error")).toHaveTextContent(
      "alert 12 has resolved: there is nothing to acknowledge",
    );
    await user.click(screen.getByTestId("acknowledge-submit"));
    await waitFor(() => expect(screen.queryByTestId("acknowledge-form")).not.toBeInTheDocument());
    const post = fetchedRequests(fetchMock).find((r) => r.method === "POST")!;
    expect(await post.clone().json()).toEqual({ note: "on it" });
  });

  it("opens an alert's timeline from its row", async () => {
    mockFetch({
      "/api/auth/me": meRoute(aViewer),
      "/api/sites": { body: [aSite] },
      "/api/alerts": { body: [{ ...anAlert, acknowledged: anAlertDetail.acknowledged }] },
      "/api/alerts/summary": { body: { ...summary, firing: 0 } },
      "/api/alerts/12": { body: anAlertDetail },
    });
    const { router } = renderApp("/alerts?tab=acknowledged");

    const user = userEvent.setup();
    await user.click(await screen.findByTestId("alert-row-12"));
    expect(await screen.findByTestId("alert-state")).toHaveTextContent("Acknowledged");
    expect(router.state.location.pathname).toBe("/alerts/12");
    const events = screen.getByTestId("alert-events");
    expect(within(events).getByTestId("alert-event-40")).toHaveTextContent("Fired");
    expect(within(events).getByTestId("alert-event-41")).toHaveTextContent(
      "acknowledged by Ada Admin: on it",
    );
    expect(screen.getByTestId("alert-acknowledged")).toHaveTextContent("by Ada Admin");
    // acknowledged already: nothing more to acknowledge
    expect(screen.queryByTestId("acknowledge-12")).not.toBeInTheDocument();
  });

  it("says so when the alert does not exist", async () => {
    mockFetch({
      "/api/auth/me": meRoute(aViewer),
      "/api/alerts/summary": { body: summary },
      "/api/alerts/99": { status: 404, body: { detail: "no alert 99" } },
    });
    renderApp("/alerts/99");
    expect(await screen.findByTestId("alert-not-found")).toHaveTextContent("Alert not found");
  });
});
