import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { fetchedRequests, makeUser, meRoute, mockFetch, renderApp } from "@/test/utils";
import { aTenantBill, myTenant } from "../testing/fixtures";

const aTenantUser = makeUser({
  id: 9,
  email: "accounts@grocer.example",
  name: "Grocer accounts",
  role: "tenant",
  tenant_id: 3,
});

const portalRoutes = {
  "/api/auth/me": meRoute(aTenantUser),
  "/api/me/tenant": { body: myTenant },
  "/api/devices/5/energy": {
    body: {
      interval: "day",
      timezone: "Africa/Johannesburg",
      points: [
        { start: "2026-06-01T00:00:00+02:00", energy_import_kwh: 240, energy_export_kwh: 0 },
        { start: "2026-06-02T00:00:00+02:00", energy_import_kwh: 250, energy_export_kwh: 0 },
      ],
    },
  },
  "/api/tenants/3/bill": { body: aTenantBill },
  "/api/tenants/4/bill": { status: 404, body: { detail: "tenant 4 not found" } },
};

describe("Tenant portal", { timeout: 30_000 }, () => {
  it("shows a tenant user its meters, energy and bill, and no navigation", async () => {
    const fetchMock = mockFetch(portalRoutes);
    renderApp("/?month=2026-06");

    expect(await screen.findByTestId("portal-tenant-name")).toHaveTextContent("Grocer");
    expect(screen.getByTestId("portal-meter-name")).toHaveTextContent("Grocer sales floor");
    const bill = await screen.findByTestId("tenant-bill-document");
    expect(bill).toHaveAttribute("data-tenant", "3");
    expect(screen.getByTestId("tenant-bill-total")).toHaveTextContent("18,957.46");
    expect(screen.getByTestId("meter-opening")).toHaveAttribute("data-kwh", "120345.6");
    expect(screen.getByTestId("tenant-bill-line-markup")).toBeInTheDocument();
    expect(screen.getByTestId("tenant-bill-csv")).toHaveAttribute(
      "href",
      "/api/tenants/3/bill.csv?month=2026-06",
    );
    expect(screen.getByTestId("tenant-bill-pdf")).toHaveAttribute(
      "href",
      "/api/tenants/3/bill.pdf?month=2026-06",
    );
    expect(screen.getByTestId("tenant-bill-xlsx")).toHaveAttribute(
      "href",
      "/api/tenants/3/bill.xlsx?month=2026-06",
    );
    await waitFor(() =>
      expect(screen.getByTestId("portal-energy-chart")).toHaveAttribute("data-points", "2"),
    );
    expect(screen.queryByTestId("nav")).not.toBeInTheDocument();
    expect(screen.getByTestId("user-role")).toHaveTextContent("Tenant");
    // nothing of the site's: no sites, no dashboard, no site totals
    const paths = fetchedRequests(fetchMock).map((r) => new URL(r.url).pathname);
    expect(paths.filter((p) => p.startsWith("/api/sites"))).toEqual([]);
  });

  it("says 'not found' for another tenant's bill", async () => {
    mockFetch(portalRoutes);
    renderApp("/tenants/4/bill?month=2026-06");
    expect(await screen.findByTestId("tenant-bill-not-found")).toHaveTextContent("Bill not found");
    expect(screen.queryByTestId("tenant-bill-document")).not.toBeInTheDocument();
  });

  it("keeps a tenant user off the site's pages", async () => {
    mockFetch(portalRoutes);
    renderApp("/sites");
    expect(await screen.findByTestId("portal-not-available")).toBeInTheDocument();
  });
});
