import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { aViewer, anAdmin, fetchedRequests, meRoute, mockFetch, renderApp } from "@/test/utils";
import { aDeadDelivery, aSite, someChannels, somePreferences } from "../testing/fixtures";

const summary = { firing: 0, acknowledged: 0, by_severity: {} };

function adminRoutes(extra: Parameters<typeof mockFetch>[0] = {}) {
  return mockFetch({
    "/api/auth/me": meRoute(anAdmin),
    "/api/alerts/summary": { body: summary },
    "/api/sites": { body: [aSite] },
    "GET /api/me/notification-preferences": { body: somePreferences },
    "/api/notification-channels": { body: someChannels },
    "/api/notifications": { body: [aDeadDelivery] },
    ...extra,
  });
}

describe("Settings → Notifications", { timeout: 30_000 }, () => {
  it("lets a viewer choose their own e-mails, and nothing else", async () => {
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(aViewer),
      "/api/alerts/summary": { body: summary },
      "/api/sites": { body: [aSite] },
      "GET /api/me/notification-preferences": { body: somePreferences },
      "PUT /api/me/notification-preferences": {
        body: { email: true, severities: ["info", "warning", "critical"], site_ids: [1] },
      },
    });
    const { router } = renderApp("/settings");

    const form = await screen.findByTestId("preferences-form");
    expect(router.state.location.pathname).toBe("/settings/notifications");
    expect(screen.getByTestId("nav-settings-notifications")).toBeInTheDocument();
    expect(screen.queryByTestId("smtp-form")).not.toBeInTheDocument();
    expect(screen.queryByTestId("webhooks-table")).not.toBeInTheDocument();

    const user = userEvent.setup();
    await user.click(within(form).getByText("Info"));
    await user.click(within(form).getByTestId("preferences-sites-chosen"));
    const sites = await within(form).findByTestId("preferences-site-ids");
    await user.click(sites.querySelector(".ant-select-selector, .ant-select-content") ?? sites);
    await user.click(await screen.findByTitle("Centre"));
    await user.click(within(form).getByTestId("preferences-save"));

    await waitFor(() =>
      expect(fetchedRequests(fetchMock).some((r) => r.method === "PUT")).toBe(true),
    );
    const put = fetchedRequests(fetchMock).find((r) => r.method === "PUT")!;
    expect(await put.clone().json()).toEqual({
      email: true,
      severities: ["info", "warning", "critical"],
      site_ids: [1],
    });
    // the viewer never asks for the admin's channels
    expect(
      fetchedRequests(fetchMock).some((r) => r.url.includes("/api/notification-channels")),
    ).toBe(false);
  });

  it("sends an SMTP test and shows the server's answer", async () => {
    const fetchMock = adminRoutes({
      "POST /api/notification-channels/smtp/test": {
        body: { ok: false, detail: "535 5.7.8 authentication failed", status: null },
      },
    });
    renderApp("/settings/notifications");

    expect(await screen.findByTestId("smtp-source")).toHaveAttribute("data-source", "app");
    expect(screen.getByTestId("smtp-password-state")).toHaveTextContent("A password is set");
    const user = userEvent.setup();
    await user.click(screen.getByTestId("smtp-test"));
    await user.type(await screen.findByTestId("smtp-test-to"), "me@example.com");
    await user.click(screen.getByTestId("smtp-test-submit"));

    const result = await screen.findByTestId("smtp-test-result");
    expect(result).toHaveAttribute("data-ok", "false");
    expect(result).toHaveTextContent("535 5.7.8 authentication failed");
    const post = fetchedRequests(fetchMock).find((r) => r.url.endsWith("/smtp/test"))!;
    expect(await post.clone().json()).toEqual({ to: "me@example.com" });
  });

  it("saves SMTP settings without sending the stored password back", async () => {
    const fetchMock = adminRoutes({
      "PUT /api/notification-channels/smtp": { body: someChannels.smtp },
    });
    renderApp("/settings/notifications");
    const user = userEvent.setup();
    const host = await screen.findByTestId("smtp-host");
    await user.clear(host);
    await user.type(host, "relay.example.com");
    await user.click(screen.getByTestId("smtp-save"));
    await waitFor(() =>
      expect(fetchedRequests(fetchMock).some((r) => r.method === "PUT")).toBe(true),
    );
    const put = fetchedRequests(fetchMock).find((r) => r.method === "PUT")!;
    expect(await put.clone().json()).toMatchObject({
      host: "relay.example.com",
      password: null,
      clear_password: false,
    });
  });

  it("adds a webhook and shows its secret once", async () => {
    adminRoutes({
      "POST /api/notification-channels/webhooks": {
        status: 201,
        body: { ...someChannels.webhooks[0], id: 4, name: "Pager", secret: "whsec_123" },
      },
    });
    renderApp("/settings/notifications");

    const user = userEvent.setup();
    expect(await screen.findByTestId("webhook-row-3")).toHaveTextContent("Ops chat");
    await user.click(screen.getByTestId("webhook-create"));
    await user.type(await screen.findByTestId("webhook-name"), "Pager");
    await user.type(screen.getByTestId("webhook-url"), "https://pager.example.com/hook");
    await user.click(screen.getByTestId("webhook-form-submit"));

    expect(await screen.findByTestId("webhook-secret")).toHaveTextContent("whsec_123");
    expect(screen.getByTestId("webhook-secret-warning")).toHaveTextContent("Copy this secret now");
    await user.click(screen.getByTestId("webhook-secret-done"));
    await waitFor(() => expect(screen.queryByTestId("webhook-secret")).not.toBeInTheDocument());
  });

  it("tests a webhook and sends a dead delivery again", async () => {
    const fetchMock = adminRoutes({
      "POST /api/notification-channels/webhooks/3/test": {
        body: { ok: true, detail: "ok", status: 204 },
      },
      "POST /api/notifications/9/retry": { body: { ...aDeadDelivery, status: "pending" } },
    });
    renderApp("/settings/notifications");

    const user = userEvent.setup();
    await user.click(await screen.findByTestId("webhook-test-3"));
    const result = await screen.findByTestId("webhook-test-result");
    expect(result).toHaveAttribute("data-ok", "true");
    expect(result).toHaveTextContent("HTTP 204");

    const row = await screen.findByTestId("delivery-row-9");
    expect(row).toHaveTextContent("HTTP 500");
    await user.click(within(row).getByTestId("retry-9"));
    await waitFor(() =>
      expect(fetchedRequests(fetchMock).some((r) => r.url.endsWith("/notifications/9/retry"))).toBe(
        true,
      ),
    );
  });
});
