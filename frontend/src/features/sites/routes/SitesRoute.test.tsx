import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { aViewer, anAdmin, fetchedRequests, meRoute, mockFetch, renderApp } from "@/test/utils";
import type { Site } from "../types";

const demo: Site = {
  id: 1,
  name: "Demo factory",
  timezone: "Africa/Johannesburg",
  utility: "City Power",
  address: null,
  tariff_id: null,
  device_count: 3,
  discrepancy_percent: 5,
  metering: "all_devices",
  created_at: "2026-01-01T00:00:00Z",
};

function formItemOf(element: HTMLElement): HTMLElement {
  const item = element.closest(".ant-form-item");
  if (!(item instanceof HTMLElement)) throw new Error("not inside a Form.Item");
  return item;
}

describe("Sites", () => {
  it("lists the sites with their time zone, utility and device count", async () => {
    mockFetch({ "/api/auth/me": meRoute(anAdmin), "/api/sites": { body: [demo] } });
    renderApp("/sites");

    const row = await screen.findByTestId("site-row-Demo factory");
    expect(row).toHaveTextContent("Africa/Johannesburg");
    expect(row).toHaveTextContent("City Power");
    expect(within(row).getByTestId("site-device-count")).toHaveTextContent("3");
    expect(within(row).getByTestId("site-link")).toHaveAttribute("href", "/sites/1");
    expect(screen.getByTestId("create-site")).toBeInTheDocument();
  });

  it("shows a friendly empty state, and no admin buttons to a viewer", async () => {
    mockFetch({ "/api/auth/me": meRoute(aViewer), "/api/sites": { body: [] } });
    renderApp("/sites");

    const empty = await screen.findByTestId("sites-empty");
    expect(empty).toHaveTextContent("No sites yet");
    expect(empty).toHaveTextContent("portal demo");
    expect(screen.queryByTestId("create-site")).not.toBeInTheDocument();
  });

  it("shows the server's 422 for the time zone next to the time zone field", async () => {
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "GET /api/sites": { body: [demo] },
      "POST /api/sites": {
        status: 422,
        body: {
          detail: [
            {
              loc: ["body", "timezone"],
              msg: "Value error, unknown time zone 'UTC': use an IANA name like Africa/Johannesburg",
              type: "value_error",
            },
          ],
        },
      },
    });
    renderApp("/sites");
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("create-site"));
    const form = await screen.findByTestId("site-form");
    await user.type(within(form).getByTestId("site-form-name"), "  Head office ");
    await user.type(within(form).getByTestId("site-form-utility"), "Eskom");
    await user.click(screen.getByTestId("site-form-submit"));

    const message = await within(form).findByText(
      "unknown time zone 'UTC': use an IANA name like Africa/Johannesburg",
    );
    expect(formItemOf(message)).toBe(formItemOf(within(form).getByTestId("site-form-timezone")));
    expect(screen.queryByTestId("site-form-error")).not.toBeInTheDocument();
    // the dialog stays open for a correction
    expect(screen.getByTestId("site-form")).toBeInTheDocument();

    const post = fetchedRequests(fetchMock).find((r) => r.method === "POST");
    const body = (await post?.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ name: "Head office", utility: "Eskom", address: null });
    expect(typeof body.timezone).toBe("string");
  });

  it("validates the name before asking the server", async () => {
    const fetchMock = mockFetch({ "/api/auth/me": meRoute(anAdmin), "/api/sites": { body: [] } });
    renderApp("/sites");
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("create-site"));
    await screen.findByTestId("site-form");
    await user.click(screen.getByTestId("site-form-submit"));

    expect(await screen.findByText("Enter the site's name")).toBeInTheDocument();
    await waitFor(() =>
      expect(fetchedRequests(fetchMock).some((r) => r.method === "POST")).toBe(false),
    );
  });
});
