import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { aViewer, anAdmin, fetchedRequests, meRoute, mockFetch, renderApp } from "@/test/utils";
import type { Device, Site, SiteTree, SiteTreeNode } from "../types";

// jsdom has no canvas: stand in for the ECharts wrapper (ChartCard's states are still tested).
vi.mock("@/components/charts/EChart", () => ({ default: () => <div data-testid="echart" /> }));

const site: Site = {
  id: 1,
  name: "Mall",
  timezone: "Africa/Johannesburg",
  utility: null,
  address: null,
  tariff_id: null,
  device_count: 3,
  discrepancy_percent: 5,
  metering: "supply_points",
  created_at: "2026-01-01T00:00:00Z",
};

const device = (id: number, name: string, parent_id: number | null, role: Device["role"]) =>
  ({
    id,
    site_id: 1,
    name,
    serial: `ACV-${id}`,
    model: null,
    role,
    parent_id,
    created_at: "2026-01-01T00:00:00Z",
    last_reading_at: null,
  }) satisfies Device;

const devices = [
  device(1, "Incomer", null, "supply"),
  device(2, "Shop A", 1, "submeter"),
  device(3, "Shop B", 1, "submeter"),
];

const node = (
  d: Device,
  energy: number,
  remainder: number | null = null,
  children: number | null = null,
): SiteTreeNode => ({
  id: d.id,
  name: d.name,
  role: d.role,
  parent_id: d.parent_id ?? null,
  depth: d.parent_id === null ? 0 : 1,
  energy_import_kwh: energy,
  energy_export_kwh: 0,
  children_import_kwh: children,
  remainder_kwh: remainder,
  remainder_percent: remainder === null ? null : (remainder / energy) * 100,
  has_supply_above: true,
});

const tree = (overrides: Partial<SiteTree> = {}): SiteTree => ({
  timezone: "Africa/Johannesburg",
  start: "2026-05-12",
  end: "2026-06-11",
  metering: "supply_points",
  site_energy_import_kwh: 100,
  nodes: [node(devices[0]!, 100, 35, 65), node(devices[1]!, 40), node(devices[2]!, 25)],
  discrepancies: [],
  ...overrides,
});

function routes(user: typeof anAdmin, answer: SiteTree, extra = {}) {
  return mockFetch({
    "/api/auth/me": meRoute(user),
    "/api/sites/1": { body: site },
    "/api/sites/1/devices": { body: devices },
    "/api/sites/1/tree": { body: answer },
    "/api/sites/1/virtual-meters": { body: [] },
    "/api/gateways/health": { body: [] },
    ...extra,
  });
}

describe("the site's metering tree", () => {
  it("shows the tree with energy per meter, the remainder, the flow and a discrepancy", async () => {
    routes(
      aViewer,
      tree({
        discrepancies: [
          {
            parent_id: 1,
            parent_name: "Incomer",
            children: [{ id: 2, name: "Shop A" }],
            days: 2,
            first_day: "2026-06-03",
            last_day: "2026-06-04",
            parent_kwh: 100,
            children_kwh: 180,
            excess_percent: 80,
            message: "Shop A add up to 80.0 % more than Incomer on 2 days",
          },
        ],
      }),
    );
    renderApp("/sites/1");

    const incomer = await screen.findByTestId("tree-node-1");
    expect(within(incomer).getByTestId("role-tag")).toHaveTextContent("Supply");
    await waitFor(() => expect(screen.getByTestId("tree-energy-1")).toHaveTextContent("100.0 kWh"));
    expect(screen.getByTestId("tree-remainder-1")).toHaveTextContent("unmetered 35.0 kWh (35.0 %)");
    expect(screen.getByTestId("tree-energy-2")).toHaveTextContent("40.0 kWh");
    expect(screen.getByTestId("tree-site-total")).toHaveAttribute("data-kwh", "100");
    expect(screen.getByTestId("discrepancy-warning")).toHaveTextContent(
      "Shop A add up to 80.0 % more than Incomer on 2 days",
    );
    expect(screen.queryByTestId("metering-all-devices")).not.toBeInTheDocument();
    // incomer → Shop A, Shop B and its remainder
    expect(screen.getByTestId("sankey-chart")).toHaveAttribute("data-points", "3");
    // a viewer cannot change the tree
    expect(screen.queryByTestId("tree-role-1")).not.toBeInTheDocument();
    expect(screen.queryByTestId("tree-root-drop")).not.toBeInTheDocument();
    expect(screen.getByTestId("virtual-meters-empty")).toBeInTheDocument();
  });

  it("says when the site has no supply point, and shows why a role change was refused", async () => {
    const fetchMock = routes(
      anAdmin,
      tree({ metering: "all_devices", site_energy_import_kwh: 165 }),
      {
        "PATCH /api/devices/2": {
          status: 422,
          body: {
            detail: [
              {
                loc: ["body", "role"],
                msg: "Value error, Shop A (id 2): a supply point has no parent",
                type: "value_error",
              },
            ],
          },
        },
      },
    );
    renderApp("/sites/1");

    expect(await screen.findByTestId("metering-all-devices")).toHaveTextContent(
      "This site has no supply point: totals add all devices",
    );
    const user = userEvent.setup();
    const role = await screen.findByTestId("tree-role-2");
    await user.click(within(role).getByRole("combobox"));
    await user.click(await screen.findByTitle("Generation"));

    expect(await screen.findByTestId("tree-problem")).toHaveTextContent(
      "Shop A (id 2): a supply point has no parent",
    );
    const patch = fetchedRequests(fetchMock).find((r) => r.method === "PATCH");
    expect(await patch?.json()).toEqual({ role: "generation" });
  });

  it("invites to add devices when the site has none", async () => {
    routes(anAdmin, tree({ nodes: [] }), { "/api/sites/1/devices": { body: [] } });
    renderApp("/sites/1");
    expect(await screen.findByTestId("tree-empty")).toHaveTextContent("No devices yet");
  });
});
