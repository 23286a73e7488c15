import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { aViewer, anAdmin, fetchedRequests, meRoute, mockFetch, renderApp } from "@/test/utils";
import type { Customer } from "../types";

// jsdom has no canvas: stand in for the ECharts wrapper (ChartCard's states still render).
vi.mock("@/components/charts/EChart", () => ({ default: () => <div data-testid="echart" /> }));

const admin = { status: "ok", database: "ok", run_mode: "admin", version: "0.1.0" };
const standalone = { ...admin, run_mode: "standalone" };
const MIN = 60_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

function customer(overrides: Partial<Customer>): Customer {
  return {
    id: 1,
    code: "acme",
    name: "Acme Mining",
    active: true,
    first_seen_at: ago(30 * 24 * 60 * MIN),
    last_seen_at: ago(2 * MIN),
    created_at: "2026-01-01T00:00:00Z",
    site_count: 2,
    device_count: 5,
    rows_last_24h: 1440,
    last_error: null,
    last_error_at: null,
    previous_token_accepted: false,
    ...overrides,
    // the code as a host name (the API's `slug`)
    slug: overrides.slug ?? (overrides.code ?? "acme").toLowerCase().replace(/_/g, "-"),
  };
}

const acme = customer({});
const bolt = customer({
  id: 2,
  code: "bolt",
  name: "Bolt Foods",
  active: false,
  last_seen_at: ago(3 * 24 * 60 * MIN),
  site_count: 1,
  device_count: 1,
  rows_last_24h: 0,
  last_error: "unknown or deactivated customer token",
  last_error_at: ago(60 * MIN),
});
const fresh = customer({
  id: 3,
  code: "cold-start",
  name: "Cold Start",
  first_seen_at: null,
  last_seen_at: null,
  site_count: 0,
  device_count: 0,
  rows_last_24h: 0,
});

function energy(request: Request) {
  const url = new URL(request.url);
  const start = new Date(`${url.searchParams.get("start")}T00:00:00Z`);
  const end = new Date(`${url.searchParams.get("end")}T00:00:00Z`);
  const points = [];
  for (let d = start; d < end; d = new Date(d.getTime() + 86_400_000)) {
    points.push({ start: d.toISOString(), energy_import_kwh: 120, energy_export_kwh: 0 });
  }
  return { body: { timezone: "UTC", interval: "day", points } };
}

describe("Fleet overview", { timeout: 20_000 }, () => {
  it("lists the customers from the API, with freshness, counts and status", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/health": { body: admin },
      "/api/fleet/customers": { body: [acme, bolt, fresh] },
      "/api/fleet/energy": energy,
    });
    renderApp("/fleet");

    const table = await screen.findByTestId("customers-table", {}, { timeout: 5000 });
    const acmeRow = await within(table).findByTestId("customer-row-acme", {}, { timeout: 5000 });
    expect(acmeRow).toHaveTextContent("Acme Mining");
    expect(within(acmeRow).getByTestId("customer-sites")).toHaveTextContent("2");
    expect(within(acmeRow).getByTestId("customer-devices")).toHaveTextContent("5");
    expect(within(acmeRow).getByTestId("customer-rows-24h")).toHaveTextContent(/1.?440/);
    expect(within(acmeRow).getByTestId("customer-last-seen")).toHaveAttribute(
      "data-status",
      "fresh",
    );
    expect(within(acmeRow).getByTestId("customer-active")).toHaveTextContent("Active");
    expect(within(acmeRow).getByTestId("customer-link")).toHaveAttribute("href", "/fleet/acme");

    const boltRow = within(table).getByTestId("customer-row-bolt");
    expect(within(boltRow).getByTestId("customer-last-seen")).toHaveAttribute("data-status", "old");
    expect(within(boltRow).getByTestId("customer-active")).toHaveTextContent("Deactivated");
    expect(within(boltRow).getByTestId("customer-last-error")).toHaveTextContent(
      "unknown or deactivated customer token",
    );
    expect(within(boltRow).getByTestId("customer-activate")).toBeInTheDocument();

    const freshRow = within(table).getByTestId("customer-row-cold-start");
    expect(within(freshRow).getByTestId("customer-last-seen")).toHaveTextContent("never");
    expect(within(freshRow).getByTestId("customer-last-seen")).toHaveAttribute(
      "data-status",
      "never",
    );

    // the KPI row adds the list up
    expect(screen.getByTestId("kpi-customers-value")).toHaveTextContent("3");
    expect(screen.getByTestId("kpi-active-value")).toHaveTextContent("2");
    expect(screen.getByTestId("kpi-devices-value")).toHaveTextContent("6");

    // 30 days of fleet energy, UTC
    const chart = await screen.findByTestId("fleet-energy-chart");
    await waitFor(() => expect(chart).toHaveAttribute("data-points", "30"));

    // the nav has the Fleet entry on an admin stack
    expect(within(screen.getByTestId("nav")).getByTestId("nav-fleet")).toHaveAttribute(
      "href",
      "/fleet",
    );
  });

  it("shows the friendly empty state when there are no customers", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/health": { body: admin },
      "/api/fleet/customers": { body: [] },
      "/api/fleet/energy": energy,
    });
    renderApp("/fleet");

    const empty = await screen.findByTestId("customers-empty", {}, { timeout: 5000 });
    expect(empty).toHaveTextContent("No customers yet");
    expect(empty).toHaveTextContent("PORTAL_FLEET__CUSTOMER_TOKEN");
  });

  it("hides the admin actions from a viewer", async () => {
    mockFetch({
      "/api/auth/me": meRoute(aViewer),
      "/api/health": { body: admin },
      "/api/fleet/customers": { body: [acme] },
      "/api/fleet/energy": energy,
    });
    renderApp("/fleet");

    const row = await screen.findByTestId("customer-row-acme", {}, { timeout: 5000 });
    expect(within(row).queryByTestId("customer-rotate")).not.toBeInTheDocument();
    expect(screen.queryByTestId("add-customer")).not.toBeInTheDocument();
  });

  it("has no Fleet nav entry and no fleet page on a standalone stack", async () => {
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/health": { body: standalone },
    });
    renderApp("/fleet");

    expect(await screen.findByTestId("wrong-run-mode")).toBeInTheDocument();
    expect(screen.queryByTestId("nav-fleet")).not.toBeInTheDocument();
    expect(
      fetchedRequests(fetchMock).some((r) => new URL(r.url).pathname.startsWith("/api/fleet")),
    ).toBe(false);
  });

  it("shows a 422 field error from the server next to the code field", async () => {
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/health": { body: admin },
      "GET /api/fleet/customers": { body: [acme] },
      "POST /api/fleet/customers": {
        status: 422,
        body: {
          detail: [
            {
              loc: ["body", "code"],
              msg: "a customer with code acme already exists",
              type: "unique",
            },
          ],
        },
      },
      "/api/fleet/energy": energy,
    });
    renderApp("/fleet");
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("add-customer", {}, { timeout: 5000 }));
    const form = await screen.findByTestId("create-customer-form");
    await user.type(within(form).getByTestId("customer-form-code"), "acme");
    await user.type(within(form).getByTestId("customer-form-name"), "Acme again");
    await user.click(screen.getByTestId("create-customer-submit"));

    const message = await within(form).findByText("a customer with code acme already exists");
    expect(message.closest(".ant-form-item")).toBe(
      within(form).getByTestId("customer-form-code").closest(".ant-form-item"),
    );
    expect(screen.queryByTestId("create-customer-error")).not.toBeInTheDocument();
    expect(screen.queryByTestId("customer-token")).not.toBeInTheDocument();

    const post = fetchedRequests(fetchMock).find((r) => r.method === "POST");
    expect(await post?.json()).toEqual({ code: "acme", name: "Acme again" });
  });

  it("checks the code locally before asking the server", async () => {
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/health": { body: admin },
      "GET /api/fleet/customers": { body: [] },
      "/api/fleet/energy": energy,
    });
    renderApp("/fleet");
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("add-customer", {}, { timeout: 5000 }));
    const form = await screen.findByTestId("create-customer-form");
    await user.type(within(form).getByTestId("customer-form-code"), "Acme Mining");
    await user.type(within(form).getByTestId("customer-form-name"), "Acme");
    await user.click(screen.getByTestId("create-customer-submit"));

    expect(await within(form).findByText(/letters, digits, '-' or '_'/)).toBeInTheDocument();
    expect(fetchedRequests(fetchMock).some((r) => r.method === "POST")).toBe(false);
  });

  it("shows the token once after creating a customer", async () => {
    let list: Customer[] = [];
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/health": { body: admin },
      "GET /api/fleet/customers": () => ({ body: list }),
      "POST /api/fleet/customers": () => {
        const created = customer({ code: "new-co", name: "New Co", last_seen_at: null });
        list = [created];
        return { status: 201, body: { ...created, token: "ppc_secret-token" } };
      },
      "/api/fleet/energy": energy,
    });
    renderApp("/fleet");
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("add-customer", {}, { timeout: 5000 }));
    const form = await screen.findByTestId("create-customer-form");
    await user.type(within(form).getByTestId("customer-form-code"), "new-co");
    await user.type(within(form).getByTestId("customer-form-name"), "New Co");
    await user.click(screen.getByTestId("create-customer-submit"));

    expect(await screen.findByTestId("customer-token")).toHaveTextContent("ppc_secret-token");
    expect(await screen.findByTestId("customer-row-new-co")).toBeInTheDocument();
    await user.click(screen.getByTestId("customer-token-done"));
    await waitFor(() => expect(screen.queryByTestId("customer-token")).not.toBeInTheDocument());
  });
});
