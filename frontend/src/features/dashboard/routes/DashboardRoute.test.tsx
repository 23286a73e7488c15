import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { aViewer, anAdmin, fetchedRequests, meRoute, mockFetch, renderApp } from "@/test/utils";

// jsdom has no canvas: stand in for the ECharts wrapper (the data-points attribute
// and the states are ChartCard's, so they are still tested).
vi.mock("@/components/charts/EChart", () => ({ default: () => <div data-testid="echart" /> }));

const healthy = { status: "ok", database: "ok", run_mode: "standalone", version: "0.1.0" };
const site = {
  id: 1,
  name: "Demo factory",
  timezone: "Africa/Johannesburg",
  utility: null,
  address: null,
  tariff_id: null,
  device_count: 1,
  created_at: "2026-01-01T00:00:00Z",
};
const device = {
  id: 7,
  site_id: 1,
  name: "Main incomer",
  serial: "ACV-1",
  model: null,
  created_at: "2026-01-01T00:00:00Z",
  last_reading_at: new Date().toISOString(),
};

function energyFor(request: Request) {
  const url = new URL(request.url);
  const start = url.searchParams.get("start") ?? "2026-01-01";
  const end = url.searchParams.get("end") ?? "2026-01-02";
  const interval = url.searchParams.get("interval") ?? "day";
  const points = [];
  for (
    let d = new Date(`${start}T00:00:00Z`);
    d < new Date(`${end}T00:00:00Z`);
    d = new Date(d.getTime() + 86_400_000)
  ) {
    const day = d.toISOString().slice(0, 10);
    const hours = interval === "hour" ? 24 : 1;
    for (let h = 0; h < hours; h++) {
      points.push({
        start: `${day}T${String(h).padStart(2, "0")}:00:00+02:00`,
        energy_import_kwh: 100 + h,
        energy_export_kwh: 0,
      });
    }
  }
  return { body: { timezone: site.timezone, interval, points } };
}

describe("Dashboard", () => {
  it("invites to create a site, or to run `portal demo`, when there are no sites", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites": { body: [] },
      "/api/health": { body: healthy },
    });
    renderApp("/");

    const empty = await screen.findByTestId("dashboard-empty");
    expect(empty).toHaveTextContent("No sites yet");
    expect(empty).toHaveTextContent("portal demo");
    expect(within(empty).getByRole("button", { name: /Create site/ })).toBeInTheDocument();
    expect(screen.queryByTestId("kpis")).not.toBeInTheDocument();
    expect(screen.queryByTestId("power-chart")).not.toBeInTheDocument();
    // the system status stays on the page
    expect(screen.getByTestId("health-card")).toBeInTheDocument();
  });

  it("tells a viewer to ask an administrator", async () => {
    mockFetch({ "/api/auth/me": meRoute(aViewer), "/api/sites": { body: [] } });
    renderApp("/");
    const empty = await screen.findByTestId("dashboard-empty");
    expect(empty).toHaveTextContent("Ask an administrator");
    expect(within(empty).queryByRole("button")).not.toBeInTheDocument();
  });

  it("says so when the site has no devices", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites": { body: [{ ...site, device_count: 0 }] },
      "/api/sites/1/devices": { body: [] },
    });
    renderApp("/");
    expect(await screen.findByTestId("dashboard-no-devices")).toHaveTextContent(
      "Demo factory has no devices yet",
    );
  });

  it("shows the KPIs and a day per bar for the range in the URL", async () => {
    const summary = {
      timezone: site.timezone,
      start: "2026-01-01T00:00:00+02:00",
      end: "2026-01-02T00:00:00+02:00",
      energy_import_kwh: 12345.6,
      energy_export_kwh: 0,
      peak_demand_kw: 409.2,
      peak_demand_kva: 441.3,
      peak_demand_at: "2026-01-01T16:00:00+02:00",
      average_power_factor: 0.921,
      last_reading_at: new Date().toISOString(),
    };
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites": { body: [site] },
      "/api/sites/1/devices": { body: [device] },
      "/api/sites/1/summary": { body: summary },
      "/api/sites/1/energy": energyFor,
      "/api/devices/7/series": {
        body: {
          timezone: site.timezone,
          bucket_seconds: 900,
          source: "rollup_15m",
          times: ["2020-01-01T00:00:00+02:00", "2020-01-01T00:15:00+02:00"],
          series: { power_kw: { avg: [10, 12], min: [9, 11], max: [11, 13] } },
        },
      },
    });
    renderApp("/?range=last30");

    expect(await screen.findByTestId("kpi-energy-today-value")).toHaveTextContent("12,346");
    expect(screen.getByTestId("kpi-energy-month")).toHaveTextContent("kWh");
    expect(screen.getByTestId("kpi-peak-demand-value")).toHaveTextContent("409");
    expect(screen.getByTestId("kpi-peak-demand")).toHaveTextContent("441 kVA");
    expect(screen.getByTestId("kpi-power-factor-value")).toHaveTextContent("0.92");
    expect(screen.getByTestId("kpi-last-reading-value")).toHaveTextContent("just now");

    const energy = screen.getByTestId("energy-chart");
    await vi.waitFor(() => expect(energy).toHaveAttribute("data-points", "30"));
    const power = screen.getByTestId("power-chart");
    await vi.waitFor(() => expect(power).toHaveAttribute("data-points", "2"));
    expect(screen.getByTestId("export-csv-energy")).toBeEnabled();
  });

  it("notes that a site without a supply point adds all its devices", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites": { body: [{ ...site, metering: "all_devices", device_count: 2 }] },
      "/api/sites/1/devices": { body: [device, { ...device, id: 8, name: "Shop", parent_id: 7 }] },
    });
    renderApp("/");
    expect(await screen.findByTestId("dashboard-all-devices")).toHaveTextContent(
      "Demo factory has no supply point: its totals add all 2 devices",
    );
    expect(screen.getByTestId("dashboard-subtitle")).toHaveTextContent("all devices");
  });

  it("shows a virtual meter's figures from its own endpoints", async () => {
    const summary = {
      timezone: site.timezone,
      start: "2026-01-01T00:00:00+02:00",
      end: "2026-01-02T00:00:00+02:00",
      energy_import_kwh: 35,
      energy_export_kwh: 0,
      peak_demand_kw: 12.5,
      peak_demand_kva: null,
      peak_demand_at: null,
      average_power_factor: null,
      last_reading_at: null,
    };
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites": { body: [{ ...site, metering: "supply_points" }] },
      "/api/sites/1/devices": { body: [device] },
      "/api/sites/1/virtual-meters": {
        body: [{ id: 4, site_id: 1, name: "Common areas", formula: "Main incomer", terms: [] }],
      },
      "/api/virtual-meters/4/summary": { body: summary },
      "/api/virtual-meters/4/energy": energyFor,
      "/api/virtual-meters/4/series": {
        body: {
          timezone: site.timezone,
          bucket_seconds: 900,
          source: "rollup_15m",
          times: ["2020-01-01T00:00:00+02:00"],
          series: { power_kw: { avg: [10], min: [null], max: [null] } },
        },
      },
    });
    renderApp("/?device=vm:4");

    expect(await screen.findByTestId("kpi-energy-today-value")).toHaveTextContent("35.0");
    expect(screen.getByTestId("dashboard-subtitle")).toHaveTextContent("Common areas");
    expect(screen.queryByTestId("dashboard-all-devices")).not.toBeInTheDocument();
    await vi.waitFor(() =>
      expect(screen.getByTestId("power-chart")).toHaveAttribute("data-state", "ready"),
    );
    const paths = fetchedRequests(fetchMock).map((r) => new URL(r.url).pathname);
    expect(paths).toContain("/api/virtual-meters/4/series");
    expect(paths).not.toContain("/api/sites/1/summary");
  });
});
