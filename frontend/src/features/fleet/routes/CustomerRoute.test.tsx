import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { anAdmin, fetchedRequests, meRoute, mockFetch, renderApp } from "@/test/utils";

vi.mock("@/components/charts/EChart", () => ({ default: () => <div data-testid="echart" /> }));

const admin = { status: "ok", database: "ok", run_mode: "admin", version: "0.1.0" };
const now = () => new Date().toISOString();

const acme = {
  id: 1,
  code: "acme",
  name: "Acme Mining",
  active: true,
  first_seen_at: now(),
  last_seen_at: now(),
  created_at: "2026-01-01T00:00:00Z",
  site_count: 2,
  device_count: 1,
  rows_last_24h: 25,
  last_error: null,
  last_error_at: null,
};
const sites = [
  {
    id: 1,
    name: "Plant",
    timezone: "Africa/Johannesburg",
    utility: null,
    devices: [
      { id: 1, site_id: 1, name: "Main", serial: "ACV-1", model: null, last_reading_at: now() },
    ],
  },
  { id: 2, name: "Depot", timezone: "UTC", utility: null, devices: [] },
];
const events = [
  {
    id: 7,
    batch_type: "measurements",
    status_code: 200,
    accepted: 25,
    duplicates: 0,
    rejected: 1,
    bytes: 2048,
    client_cursor: null,
    earliest: now(),
    latest: now(),
    error: null,
    received_at: now(),
  },
  {
    id: 6,
    batch_type: "sites",
    status_code: 429,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    bytes: 0,
    client_cursor: null,
    earliest: null,
    latest: null,
    error: "rate limited for 3 s",
    received_at: now(),
  },
];

function energy(request: Request) {
  const url = new URL(request.url);
  const start = new Date(`${url.searchParams.get("start")}T00:00:00Z`);
  const end = new Date(`${url.searchParams.get("end")}T00:00:00Z`);
  const points = [];
  for (let d = start; d < end; d = new Date(d.getTime() + 86_400_000)) {
    points.push({ start: d.toISOString(), energy_import_kwh: 5, energy_export_kwh: null });
  }
  return { body: { timezone: url.searchParams.get("timezone"), interval: "day", points } };
}

describe("Customer page", { timeout: 20_000 }, () => {
  it("shows its sites, devices, pushes and energy in the first site's zone", async () => {
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/health": { body: admin },
      "/api/fleet/customers/acme": { body: acme },
      "/api/fleet/customers/acme/sites": { body: sites },
      "/api/fleet/customers/acme/events": { body: events },
      "/api/fleet/customers/acme/energy": energy,
    });
    renderApp("/fleet/acme");

    expect(await screen.findByTestId("customer-title", {}, { timeout: 5000 })).toHaveTextContent(
      "Acme Mining",
    );
    const device = await screen.findByTestId("fleet-device-row-ACV-1");
    expect(device).toHaveTextContent("Plant");
    expect(within(device).getByTestId("reading-age")).toHaveAttribute("data-status", "fresh");
    expect(screen.getByTestId("fleet-site-row-2")).toHaveTextContent("no devices");

    const table = screen.getByTestId("ingest-events-table");
    const ok = within(table).getByTestId("ingest-event-7");
    expect(within(ok).getByTestId("event-status")).toHaveTextContent("200");
    expect(ok).toHaveTextContent("2 KB");
    const throttled = within(table).getByTestId("ingest-event-6");
    expect(throttled).toHaveTextContent("rate limited for 3 s");

    const chart = screen.getByTestId("customer-energy-chart");
    await waitFor(() => expect(chart).toHaveAttribute("data-points", "30"));
    const energyRequest = fetchedRequests(fetchMock).find((r) => r.url.includes("/energy"));
    expect(new URL(energyRequest?.url ?? "").searchParams.get("timezone")).toBe(
      "Africa/Johannesburg",
    );
  });

  it("shows which token the customer last used and refuses the old one on request", async () => {
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    let current = {
      ...acme,
      code: "DEV0001",
      slug: "dev0001",
      token_rotated_at: now(),
      token_last_used_at: null,
      previous_token_expires_at: inAnHour,
      previous_token_accepted: true,
      previous_token_last_used_at: now(),
      last_token_used: "previous",
    };
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/health": { body: admin },
      "GET /api/fleet/customers/DEV0001": () => ({ body: current }),
      "/api/fleet/customers/DEV0001/sites": { body: [] },
      "/api/fleet/customers/DEV0001/events": { body: [] },
      "/api/fleet/customers/DEV0001/energy": energy,
      "POST /api/fleet/customers/DEV0001/revoke-previous-token": () => {
        current = { ...current, previous_token_expires_at: now(), previous_token_accepted: false };
        return { body: current };
      },
    });
    renderApp("/fleet/DEV0001");

    expect(
      await screen.findByTestId("customer-token-used", {}, { timeout: 5000 }),
    ).toHaveTextContent("the old token");
    expect(screen.getByTestId("customer-previous-token")).toHaveTextContent("accepted until");
    const user = userEvent.setup();
    await user.click(screen.getByTestId("customer-revoke"));
    await user.click(await screen.findByTestId("customer-revoke-confirm"));

    await waitFor(() =>
      expect(screen.getByTestId("customer-previous-token")).toHaveTextContent("refused since"),
    );
    expect(screen.queryByTestId("customer-revoke")).not.toBeInTheDocument();
    const post = fetchedRequests(fetchMock).find((r) => r.method === "POST");
    expect(new URL(post?.url ?? "").pathname).toBe(
      "/api/fleet/customers/DEV0001/revoke-previous-token",
    );
  });

  it("says so when there is no such customer", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/health": { body: admin },
      "/api/fleet/customers/nope": { status: 404, body: { detail: "no customer with code nope" } },
    });
    renderApp("/fleet/nope");
    expect(
      await screen.findByTestId("customer-not-found", {}, { timeout: 5000 }),
    ).toHaveTextContent("Customer not found");
  });
});
