import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { aViewer, anAdmin, fetchedRequests, meRoute, mockFetch, renderApp } from "@/test/utils";
import { aBacktest, aDevice, aRule, aSite } from "../testing/fixtures";

const summary = { firing: 1, acknowledged: 0, by_severity: { critical: 1 } };

function routes(extra: Parameters<typeof mockFetch>[0] = {}) {
  return mockFetch({
    "/api/auth/me": meRoute(anAdmin),
    "/api/alerts/summary": { body: summary },
    "/api/sites": { body: [aSite] },
    "/api/devices": { body: [aDevice] },
    "GET /api/alert-rules": {
      body: [
        aRule,
        {
          ...aRule,
          id: 5,
          name: "Incomer offline",
          site_id: null,
          device_id: 7,
          kind: "offline",
          params: { minutes: 30 },
          quiet_hours: null,
          firing: 0,
          enabled: false,
        },
      ],
    },
    ...extra,
  });
}

describe("Settings → Alerts", { timeout: 30_000 }, () => {
  it("lists the rules with their subject, kind and firing count", async () => {
    routes();
    renderApp("/settings/alerts");

    const row = await screen.findByTestId("rule-row-4");
    expect(row).toHaveTextContent("Main incomer demand");
    expect(row).toHaveTextContent("Demand above");
    expect(row).toHaveTextContent("Centre");
    expect(within(row).getByTestId("rule-firing-4")).toHaveTextContent("1");
    await waitFor(() =>
      expect(screen.getByTestId("rule-row-5")).toHaveTextContent("Incomer (Centre)"),
    );
    expect(screen.getByTestId("rule-enabled-5")).not.toBeChecked();
    expect(screen.getByRole("tab", { name: "Alerts" })).toHaveAttribute("aria-selected", "true");
  });

  it("backtests the form's rule, then shows a refused parameter on its field", async () => {
    let posted = 0;
    const fetchMock = routes({
      "POST /api/alert-rules/backtest": { body: aBacktest },
      "POST /api/alert-rules": () =>
        ++posted === 1
          ? {
              status: 422,
              body: {
                detail: [
                  {
                    loc: ["body", "params.clear_below"],
                    msg: "clear_below must not be above threshold",
                    type: "value_error",
                  },
                ],
              },
            }
          : { status: 201, body: { ...aRule, id: 6 } },
    });
    renderApp("/settings/alerts");

    const user = userEvent.setup();
    await user.click(await screen.findByTestId("new-alert-rule"));
    const form = await screen.findByTestId("rule-form");
    await user.type(within(form).getByTestId("rule-name"), "Demand");
    const site = within(form).getByTestId("rule-site");
    await user.click(site.querySelector(".ant-select-selector, .ant-select-content") ?? site);
    await user.click(await screen.findByTitle("Centre"));
    await user.type(within(form).getByTestId("rule-param-threshold"), "400");
    await user.type(within(form).getByTestId("rule-param-clear_below"), "450");

    await user.click(within(form).getByTestId("rule-backtest"));
    expect(await screen.findByTestId("backtest-summary")).toHaveTextContent(
      "On the last 30 days this rule would have fired 3 times",
    );
    expect(await screen.findByTestId("backtest-chart")).toHaveAttribute("data-points", "3");
    const backtest = fetchedRequests(fetchMock).find((r) => r.url.endsWith("/backtest"))!;
    expect(await backtest.clone().json()).toEqual({
      days: 30,
      rule: {
        name: "Demand",
        site_id: 1,
        device_id: null,
        virtual_meter_id: null,
        kind: "demand_above",
        severity: "warning",
        enabled: true,
        params: { unit: "auto", threshold: 400, clear_below: 450 },
        for_minutes: 0,
        quiet_hours: null,
      },
    });

    await user.click(screen.getByTestId("rule-form-submit"));
    expect(
      await within(form).findByText("clear_below must not be above threshold"),
    ).toBeInTheDocument();
    expect(screen.queryByTestId("rule-form-error")).not.toBeInTheDocument();

    await user.click(screen.getByTestId("rule-form-submit"));
    await waitFor(() => expect(screen.queryByTestId("rule-form")).not.toBeInTheDocument());
    expect(posted).toBe(2);
  });

  it("shows the chosen kind's parameters", async () => {
    routes();
    renderApp("/settings/alerts");
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("new-alert-rule"));
    const form = await screen.findByTestId("rule-form");
    expect(within(form).getByTestId("rule-param-threshold")).toBeInTheDocument();

    const kind = within(form).getByTestId("rule-kind");
    await user.click(kind.querySelector(".ant-select-selector, .ant-select-content") ?? kind);
    await user.click(await screen.findByTestId("rule-kind-out_of_hours_load"));
    expect(await within(form).findByTestId("rule-param-threshold_kw")).toBeInTheDocument();
    expect(within(form).getByTestId("rule-param-schedule-0-start")).toHaveValue("07:00");
    expect(within(form).queryByTestId("rule-param-threshold")).not.toBeInTheDocument();

    await user.click(kind.querySelector(".ant-select-selector, .ant-select-content") ?? kind);
    await user.click(await screen.findByTestId("rule-kind-offline"));
    expect(await within(form).findByTestId("rule-param-minutes")).toBeInTheDocument();
    expect(within(form).getByTestId("rule-no-quiet-hours")).toHaveTextContent(
      "Offline rules have no quiet hours",
    );
  });

  it("edits a rule's parameters and quiet hours, not its subject", async () => {
    const fetchMock = routes({ "PATCH /api/alert-rules/4": { body: aRule } });
    renderApp("/settings/alerts");

    const user = userEvent.setup();
    await user.click(await screen.findByTestId("rule-edit-4"));
    const form = await screen.findByTestId("rule-form");
    expect(within(form).getByTestId("rule-subject")).toHaveTextContent("Centre");
    const threshold = within(form).getByTestId("rule-param-threshold");
    await user.clear(threshold);
    await user.type(threshold, "420");
    await user.click(within(form).getByTestId("rule-quiet-hours-add"));
    await user.type(within(form).getByTestId("rule-quiet-hours-1-start"), "22:00");
    await user.click(screen.getByTestId("rule-form-submit"));
    // the new window has no days yet
    expect(await within(form).findByText("Pick the days")).toBeInTheDocument();
    await user.click(within(form).getByTestId("rule-quiet-hours-1-remove"));
    await user.click(screen.getByTestId("rule-form-submit"));

    await waitFor(() => expect(screen.queryByTestId("rule-form")).not.toBeInTheDocument());
    const patch = fetchedRequests(fetchMock).find((r) => r.method === "PATCH")!;
    expect(await patch.clone().json()).toEqual({
      name: "Main incomer demand",
      severity: "critical",
      enabled: true,
      params: { unit: "auto", threshold: 420, clear_below: 380 },
      for_minutes: 5,
      quiet_hours: aRule.quiet_hours,
    });
  });

  it("deletes a rule after confirmation", async () => {
    const fetchMock = routes({ "DELETE /api/alert-rules/4": { status: 204 } });
    renderApp("/settings/alerts");
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("rule-delete-4"));
    await user.click(await screen.findByTestId("rule-delete-confirm-4"));
    await waitFor(() =>
      expect(fetchedRequests(fetchMock).some((r) => r.method === "DELETE")).toBe(true),
    );
  });

  it("is an admin's tab", async () => {
    mockFetch({
      "/api/auth/me": meRoute(aViewer),
      "/api/alerts/summary": { body: summary },
    });
    renderApp("/settings/alerts");
    expect(await screen.findByTestId("forbidden")).toBeInTheDocument();
    expect(screen.queryByTestId("nav-settings-alerts")).not.toBeInTheDocument();
  });
});
