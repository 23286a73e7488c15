import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { aViewer, anAdmin, fetchedRequests, meRoute, mockFetch, renderApp } from "@/test/utils";
import { aBill } from "../testing/fixtures";

/** The machine may be busy (parallel test files): wait longer than the 1 s default. */
const WAIT = { timeout: 5000 };

const site = {
  id: 3,
  name: "Demo factory",
  timezone: "Africa/Johannesburg",
  utility: null,
  address: null,
  tariff_id: 7,
  created_at: "2026-01-01T00:00:00Z",
  device_count: 3,
};
const tariffs = [
  {
    id: 7,
    name: "Megaflex",
    currency: "ZAR",
    timezone: "Africa/Johannesburg",
    version_count: 1,
    site_count: 1,
  },
];

describe("Bills", { timeout: 20_000 }, () => {
  it("shows the month's bill with CSV, PDF and Excel links and a print button", async () => {
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(aViewer),
      "/api/sites": { body: [site] },
      "/api/tariffs": { body: tariffs },
      "/api/sites/3/bill": { body: { ...aBill, start: "2026-05-01", end: "2026-06-01" } },
    });
    const print = vi.fn();
    vi.stubGlobal("print", print);
    renderApp("/bills?site=3&month=2026-05");

    expect(await screen.findByTestId("bill-total", {}, WAIT)).toHaveTextContent("25,012.50");
    expect(screen.getByTestId("bill-site-name")).toHaveTextContent("Demo factory");
    expect(screen.getByTestId("bill-period")).toHaveTextContent("1 May 2026 – 31 May 2026");
    expect(screen.getByTestId("bill-brand")).toHaveTextContent("Power Portal");
    expect(screen.getByTestId("bill-total-headline")).toHaveTextContent("ZAR 25,012.50");
    expect(await screen.findByText("Megaflex", {}, WAIT)).toBeInTheDocument();
    expect(screen.getByTestId("bill-csv")).toHaveAttribute(
      "href",
      "/api/sites/3/bill.csv?start=2026-05-01&end=2026-06-01",
    );
    expect(screen.getByTestId("bill-pdf")).toHaveAttribute(
      "href",
      "/api/sites/3/bill.pdf?start=2026-05-01&end=2026-06-01",
    );
    expect(screen.getByTestId("bill-xlsx")).toHaveAttribute(
      "href",
      "/api/sites/3/bill.xlsx?start=2026-05-01&end=2026-06-01",
    );
    const bill = fetchedRequests(fetchMock).find((r) => r.url.includes("/bill?"));
    expect(new URL(bill!.url).search).toBe("?start=2026-05-01&end=2026-06-01");

    await userEvent.setup().click(screen.getByTestId("bill-print"));
    expect(print).toHaveBeenCalledOnce();
    expect(document.body).toHaveClass("print-bill");
  });

  it("explains a site without a tariff and links an admin to Settings → Rates", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites": { body: [{ ...site, tariff_id: null }] },
      "/api/tariffs": { body: [] },
      "/api/sites/3/bill": {
        status: 409,
        body: { detail: "site 3 has no tariff: assign one with PATCH /api/sites/3" },
      },
    });
    renderApp("/bills");

    expect(await screen.findByTestId("bill-no-tariff", {}, WAIT)).toHaveTextContent(
      "This site has no tariff yet",
    );
    expect(screen.getByTestId("bill-go-to-rates")).toHaveAttribute("href", "/settings/rates");
    expect(screen.getByTestId("bill-print")).toBeDisabled();
    expect(screen.getByTestId("bill-pdf")).toBeDisabled();
    expect(screen.getByTestId("bill-pdf")).not.toHaveAttribute("href");
  });

  it("explains a tariff without a version for the month", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites": { body: [site] },
      "/api/tariffs": { body: tariffs },
      "/api/sites/3/bill": { status: 409, body: { detail: "no tariff version covers 2024-01-01" } },
    });
    renderApp("/bills?month=2024-01");

    expect(await screen.findByTestId("bill-no-version", {}, WAIT)).toHaveTextContent(
      "no tariff version covers 2024-01-01",
    );
    expect(screen.getByTestId("bill-go-to-tariff")).toHaveAttribute("href", "/settings/rates/7");
  });
});
