import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { anAdmin, aViewer, fetchedRequests, meRoute, mockFetch, renderApp } from "@/test/utils";
import type { eskomTouTemplate } from "../lib/templates";

/** The machine may be busy (parallel test files): wait longer than the 1 s default. */
const WAIT = { timeout: 5000 };

const overlap = {
  loc: ["body", "versions", 0, "periods", 11],
  msg: "season high, mon 08:00: covered by peak and peak",
  type: "tariff_invalid",
};

async function applyEskomTemplate() {
  const user = userEvent.setup();
  await user.click(await screen.findByTestId("tariff-template", {}, WAIT));
  await user.click(await screen.findByTestId("template-eskom", {}, WAIT));
  await screen.findByTestId("week-grid-high", {}, WAIT);
  return user;
}

// The editor is a big form (two 7 × 48 grids, a dozen tables): slow to render in jsdom.
describe("tariff editor", { timeout: 20_000 }, () => {
  it("shows a validation problem in place: the grid cell, the list under the grid and the window row", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites": { body: [] },
      "POST /api/tariffs/validate": { body: { valid: false, problems: [overlap] } },
    });
    renderApp("/settings/rates/new");
    await applyEskomTemplate();

    const cell = await screen.findByTestId("cell-high-mon-08:00", {}, WAIT);
    await waitFor(() => expect(cell).toHaveAttribute("data-error", "true"), WAIT);
    expect(screen.getByTestId("cell-high-mon-07:30")).not.toHaveAttribute("data-error");
    expect(screen.getByTestId("grid-problems")).toHaveTextContent(
      "season high, mon 08:00: covered by peak and peak",
    );
    // the row the problem's loc names is highlighted (and its list opened)
    expect(await screen.findByTestId("window-row-11", {}, WAIT)).toHaveAttribute(
      "data-error",
      "true",
    );
    await waitFor(
      () =>
        expect(screen.getByTestId("tariff-validation")).toHaveAttribute("data-state", "invalid"),
      WAIT,
    );
  });

  it("paints a rectangle of cells with the chosen period", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites": { body: [] },
      "POST /api/tariffs/validate": { body: { valid: true, problems: [] } },
    });
    renderApp("/settings/rates/new");
    await applyEskomTemplate();
    expect(screen.getByTestId("cell-low-sun-18:00")).toHaveAttribute("data-period", "off-peak");

    fireEvent.click(screen.getByTestId("palette-standard"));
    fireEvent.mouseDown(screen.getByTestId("cell-low-sat-18:00"), { button: 0 });
    fireEvent.mouseEnter(screen.getByTestId("cell-low-sun-19:30"));
    fireEvent.mouseUp(window);

    await waitFor(
      () =>
        expect(screen.getByTestId("cell-low-sun-18:00")).toHaveAttribute("data-period", "standard"),
      WAIT,
    );
    expect(screen.getByTestId("cell-low-sun-19:30")).toHaveAttribute("data-period", "standard");
    expect(screen.getByTestId("cell-low-sun-20:00")).toHaveAttribute("data-period", "off-peak");
    expect(screen.getByTestId("cell-high-sun-18:00")).toHaveAttribute("data-period", "off-peak");
  });

  it("creates the tariff (POST) and shows a 422 from the server next to the field", async () => {
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites": { body: [] },
      "POST /api/tariffs/validate": { body: { valid: true, problems: [] } },
      "POST /api/tariffs": {
        status: 422,
        body: {
          detail: [
            {
              loc: ["body", "versions", 0, "energy_rates", 2, "rate"],
              msg: "Input should be greater than or equal to 0",
              type: "greater_than_equal",
            },
          ],
        },
      },
    });
    renderApp("/settings/rates/new");
    const user = await applyEskomTemplate();
    await user.click(screen.getByTestId("tariff-save"));

    expect(await screen.findByTestId("tariff-save-error", {}, WAIT)).toHaveTextContent(
      "not saved: 1 problem",
    );
    const problem = await screen.findByTestId("problem-versions-0-energy_rates-2-rate", {}, WAIT);
    expect(problem).toHaveTextContent("Input should be greater than or equal to 0");
    // next to the high season off-peak rate (the third rate of the template)
    expect(
      within(screen.getByTestId("rate-row-high-off-peak")).getByTestId(
        "problem-versions-0-energy_rates-2-rate",
      ),
    ).toBe(problem);

    const post = fetchedRequests(fetchMock).find(
      (r) => r.method === "POST" && r.url.endsWith("/api/tariffs"),
    );
    const body = (await post!.json()) as ReturnType<typeof eskomTouTemplate>;
    expect(body.name).toBe("Eskom-style TOU");
    expect(body.versions[0]!.periods).toHaveLength(21);
  });

  it("is for admins only", async () => {
    mockFetch({ "/api/auth/me": meRoute(aViewer) });
    renderApp("/settings/rates/new");
    expect(await screen.findByTestId("forbidden", {}, WAIT)).toBeInTheDocument();
  });
});

describe("Settings → Rates", { timeout: 20_000 }, () => {
  it("lists the tariffs and shows why one cannot be deleted (409)", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "GET /api/tariffs": {
        body: [
          {
            id: 7,
            name: "Megaflex",
            currency: "ZAR",
            timezone: "Africa/Johannesburg",
            version_count: 2,
            site_count: 1,
          },
        ],
      },
      "DELETE /api/tariffs/7": {
        status: 409,
        body: { detail: "tariff 7 is used by 1 site(s): assign another first" },
      },
    });
    renderApp("/settings/rates");
    const row = await screen.findByTestId("tariff-row-Megaflex", {}, WAIT);
    expect(row).toHaveTextContent("ZAR");
    expect(within(row).getByTestId("tariff-site-count")).toHaveTextContent("1");
    expect(within(row).getByTestId("tariff-name-cell")).toHaveAttribute(
      "href",
      "/settings/rates/7",
    );
    expect(screen.getByTestId("settings-tabs")).toHaveTextContent("Rates");

    const user = userEvent.setup();
    await user.click(within(row).getByTestId("tariff-delete"));
    await user.click(await screen.findByTestId("tariff-delete-confirm", {}, WAIT));
    expect(await screen.findByTestId("tariff-delete-error", {}, WAIT)).toHaveTextContent(
      "tariff 7 is used by 1 site(s): assign another first",
    );
  });
});
