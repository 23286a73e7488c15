import { screen } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { describe, expect, it } from "vitest";
import { anAdmin, meRoute, mockFetch, renderWithProviders } from "@/test/utils";
import { MonthCostCard } from "./MonthCostCard";

/** The machine may be busy (parallel test files): wait longer than the 1 s default. */
const WAIT = { timeout: 5000 };

function renderCard() {
  const router = createMemoryRouter([{ path: "/", element: <MonthCostCard siteId={3} /> }]);
  return renderWithProviders(<RouterProvider router={router} />);
}

describe("MonthCostCard", { timeout: 20_000 }, () => {
  it("shows this month so far and the projection", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites/3/costs/month": {
        body: {
          currency: "ZAR",
          month: "2026-11",
          days_elapsed: 26.5,
          days_in_month: 30,
          to_date_subtotal: 40000,
          to_date_total: 46000,
          projected_total: 52075.25,
        },
      },
    });
    renderCard();
    expect(await screen.findByTestId("kpi-cost-month-value", {}, WAIT)).toHaveTextContent(
      "46,000.00",
    );
    expect(screen.getByTestId("kpi-cost-projected-value")).toHaveTextContent("52,075.25");
    expect(screen.getByTestId("kpi-cost-month")).toHaveTextContent("ZAR");
    expect(screen.getByTestId("month-cost-card")).toHaveTextContent(
      "November 2026: day 26.5 of 30",
    );
  });

  it("hints at the missing tariff", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites/3/costs/month": {
        status: 409,
        body: { detail: "site 3 has no tariff: assign one" },
      },
    });
    renderCard();
    expect(await screen.findByTestId("cost-no-tariff", {}, WAIT)).toHaveTextContent(
      "No tariff assigned",
    );
    expect(screen.queryByTestId("kpi-cost-month")).not.toBeInTheDocument();
  });
});
