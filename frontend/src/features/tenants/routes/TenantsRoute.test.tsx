import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { aViewer, anAdmin, fetchedRequests, meRoute, mockFetch, renderApp } from "@/test/utils";
import { aReconciliation, aTenant, aTenantBill, anAssignment } from "../testing/fixtures";

const site = {
  id: 1,
  name: "Centre",
  timezone: "Africa/Johannesburg",
  utility: null,
  address: null,
  tariff_id: 7,
  device_count: 3,
  discrepancy_percent: 5,
  metering: "supply_points",
  created_at: "2026-01-01T00:00:00Z",
};

describe("Tenants", { timeout: 30_000 }, () => {
  it("lists a site's tenants with their rules, and a tenant's meters over time", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites": { body: [site] },
      "/api/tariffs": { body: [] },
      "/api/sites/1/tenants": { body: [aTenant] },
      "/api/tenants/3/meters": {
        body: [
          anAssignment,
          { ...anAssignment, id: 12, meter_name: "Storeroom", end: "2026-06-16T00:00:00+02:00" },
        ],
      },
    });
    renderApp("/tenants?site=1&tenant=3");

    expect(await screen.findByTestId("tenant-rule")).toHaveTextContent(
      "Pass-through · by coincident demand · mark-up 5 % (cap 500.00) · fee 150.00",
    );
    const meters = await screen.findByTestId("tenant-meters-3");
    await waitFor(() => expect(within(meters).getAllByTestId("assignment-meter")).toHaveLength(2));
    const ended = within(meters).getByTestId("assignment-row-12");
    expect(ended).toHaveTextContent("2026-06-16 00:00");
    expect(ended).toHaveTextContent("moved out");
    // only the current assignment can be ended
    expect(within(meters).getByTestId("assignment-end-11")).toBeInTheDocument();
    expect(within(meters).queryByTestId("assignment-end-12")).not.toBeInTheDocument();
    expect(screen.getByTestId("nav-tenants")).toHaveAttribute("href", "/tenants");
  });

  it("adds a tenant with a pass-through rule and shows a refused rule field in place", async () => {
    let posted = 0;
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites": { body: [site] },
      "/api/tariffs": { body: [] },
      "GET /api/sites/1/tenants": { body: [] },
      "POST /api/sites/1/tenants": () =>
        ++posted === 1
          ? {
              status: 422,
              body: {
                detail: [
                  { loc: ["body", "rule", "admin_fee"], msg: "must be at least 0", type: "x" },
                ],
              },
            }
          : { status: 201, body: aTenant },
    });
    renderApp("/tenants");

    expect(await screen.findByTestId("tenants-empty")).toHaveTextContent("No tenants yet");
    const user = userEvent.setup();
    await user.click(screen.getByTestId("tenant-create"));
    await user.type(screen.getByTestId("tenant-name"), "Grocer");
    await user.type(screen.getByTestId("tenant-markup"), "5");
    await user.click(screen.getByTestId("tenant-form-submit"));

    expect(await screen.findByText("must be at least 0")).toBeInTheDocument();
    const post = fetchedRequests(fetchMock).find((r) => r.method === "POST")!;
    expect(await post.clone().json()).toEqual({
      name: "Grocer",
      reference: null,
      contact_email: null,
      rule: {
        kind: "pass_through",
        tariff_id: null,
        apportion: "energy",
        fixed_share_percent: null,
        markup_percent: 5,
        markup_cap: null,
        admin_fee: 0,
      },
    });
    await user.click(screen.getByTestId("tenant-form-submit"));
    await waitFor(() => expect(screen.queryByTestId("tenant-form")).not.toBeInTheDocument());
    expect(posted).toBe(2);
  });

  it("lists the month's tenant bills with their totals", async () => {
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites": { body: [site] },
      "/api/tariffs": { body: [] },
      "/api/sites/1/tenants": { body: [aTenant] },
      "/api/sites/1/tenant-bills": {
        body: [aTenantBill, { ...aTenantBill, tenant_id: 4, tenant_name: "Bakery", total: 100 }],
      },
    });
    renderApp("/tenants?site=1&tab=bills&month=2026-06");

    const row = await screen.findByTestId("tenant-bills-row-3");
    expect(row).toHaveTextContent("18,957.46");
    expect(within(row).getByTestId("tenant-bill-open-3")).toHaveAttribute(
      "href",
      "/tenants/3/bill?month=2026-06",
    );
    expect(within(row).getByTestId("tenant-bill-csv-3")).toHaveAttribute(
      "href",
      "/api/tenants/3/bill.csv?month=2026-06",
    );
    expect(within(row).getByTestId("tenant-bill-pdf-3")).toHaveAttribute(
      "href",
      "/api/tenants/3/bill.pdf?month=2026-06",
    );
    expect(within(row).getByTestId("tenant-bill-xlsx-3")).toHaveAttribute(
      "href",
      "/api/tenants/3/bill.xlsx?month=2026-06",
    );
    expect(screen.getByTestId("tenant-bills-total")).toHaveTextContent("19,057.46");
    const bills = fetchedRequests(fetchMock).find((r) => r.url.includes("/tenant-bills"));
    expect(new URL(bills!.url).search).toBe("?month=2026-06");
  });

  it("shows the reconciliation adding up to the utility bill, with the recovery", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites": { body: [site] },
      "/api/tariffs": { body: [] },
      "/api/sites/1/tenants": { body: [aTenant] },
      "/api/sites/1/reconciliation": { body: aReconciliation },
    });
    renderApp("/tenants?site=1&tab=reconciliation&month=2026-06");

    const rec = await screen.findByTestId("reconciliation");
    await waitFor(() => expect(rec).toHaveAttribute("data-adds-up", "true"));
    expect(screen.getByTestId("reconciliation-recovery")).toHaveTextContent("77.0");
    expect(screen.getByTestId("reconciliation-sum")).toHaveTextContent("150,000.00");
    expect(screen.getByTestId("reconciliation-row-common")).toHaveTextContent("30,000.00");
    expect(screen.getByTestId("reconciliation-chart")).toHaveAttribute("data-points", "4");
    expect(screen.getByTestId("reconciliation-xlsx")).toHaveAttribute(
      "href",
      "/api/sites/1/reconciliation.xlsx?month=2026-06",
    );
  });

  it("explains why there are no bills when the site cannot be billed (409)", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites": { body: [{ ...site, tariff_id: null }] },
      "/api/tariffs": { body: [] },
      "/api/sites/1/tenants": { body: [aTenant] },
      "/api/sites/1/tenant-bills": {
        status: 409,
        body: { detail: "site 1 has no tariff: assign one with PATCH /api/sites/1" },
      },
    });
    renderApp("/tenants?site=1&tab=bills&month=2026-06");
    expect(await screen.findByTestId("tenant-bills-unavailable")).toHaveTextContent(
      "site 1 has no tariff",
    );
  });

  it("is an admin's page", async () => {
    mockFetch({ "/api/auth/me": meRoute(aViewer), "/api/sites": { body: [site] } });
    renderApp("/tenants");
    expect(await screen.findByTestId("forbidden")).toBeInTheDocument();
    expect(screen.queryByTestId("nav-tenants")).not.toBeInTheDocument();
  });
});
