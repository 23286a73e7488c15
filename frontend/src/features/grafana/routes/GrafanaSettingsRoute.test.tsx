import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { aViewer, anAdmin, fetchedRequests, meRoute, mockFetch, renderApp } from "@/test/utils";
import { configured, fleet, power, unconfigured } from "../testing/fixtures";

function formItemOf(element: HTMLElement): HTMLElement {
  const item = element.closest(".ant-form-item");
  if (!(item instanceof HTMLElement)) throw new Error("not inside a Form.Item");
  return item;
}

async function putBody(fetchMock: ReturnType<typeof mockFetch>): Promise<unknown> {
  const put = await waitFor(() => {
    const request = fetchedRequests(fetchMock).find((r) => r.method === "PUT");
    if (!request) throw new Error("no PUT yet");
    return request;
  });
  return put.json();
}

describe("Settings → Grafana", () => {
  it("fills in the provisioned dashboards and saves them with the base URL", async () => {
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "GET /api/grafana/settings": { body: unconfigured },
      "PUT /api/grafana/settings": {
        body: {
          ...unconfigured,
          base_url: "/grafana",
          dashboards: [power],
          configured: true,
          saved: true,
        },
      },
    });
    renderApp("/settings/grafana");
    expect(await screen.findByTestId("grafana-unsaved")).toHaveTextContent("Grafana is off");
    expect(screen.getByRole("tab", { name: "Grafana" })).toHaveAttribute("aria-selected", "true");
    expect(screen.getByTestId("grafana-no-dashboards")).toBeInTheDocument();

    const user = userEvent.setup();
    await user.click(screen.getByTestId("grafana-use-provisioned"));
    expect(screen.getByTestId("grafana-base-url")).toHaveValue("/grafana");
    expect(screen.getByTestId("grafana-dashboard-uid-0")).toHaveValue("power-overview");
    await user.click(screen.getByTestId("grafana-save"));

    expect(await putBody(fetchMock)).toEqual({
      base_url: "/grafana",
      dashboards: [
        { title: "Power overview", uid: "power-overview", slug: "power-overview", height: null },
      ],
    });
  });

  it("adds, reorders and removes dashboards", async () => {
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "GET /api/grafana/settings": { body: configured },
      "PUT /api/grafana/settings": { body: configured },
    });
    renderApp("/settings/grafana");
    expect(await screen.findByTestId("grafana-dashboard-uid-1")).toHaveValue("fleet");
    const user = userEvent.setup();

    await user.click(screen.getByTestId("grafana-dashboard-up-1"));
    expect(screen.getByTestId("grafana-dashboard-uid-0")).toHaveValue("fleet");
    await user.click(screen.getByTestId("grafana-dashboard-add"));
    fireEvent.change(screen.getByTestId("grafana-dashboard-title-2"), {
      target: { value: "Plant floor" },
    });
    fireEvent.change(screen.getByTestId("grafana-dashboard-uid-2"), {
      target: { value: "plant-1" },
    });
    await user.click(screen.getByTestId("grafana-dashboard-remove-1"));
    await user.click(screen.getByTestId("grafana-save"));

    expect(await putBody(fetchMock)).toEqual({
      base_url: "/grafana",
      dashboards: [
        { title: fleet.title, uid: "fleet", slug: "fleet", height: 900 },
        { title: "Plant floor", uid: "plant-1", slug: null, height: null },
      ],
    });
  });

  it("checks fields before sending, and shows the server's 422 on the row it names", async () => {
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "GET /api/grafana/settings": { body: configured },
      "PUT /api/grafana/settings": {
        status: 422,
        body: {
          detail: [
            {
              loc: ["body", "dashboards", 1, "uid"],
              msg: "Value error, no such dashboard here",
              type: "value_error",
            },
          ],
        },
      },
    });
    renderApp("/settings/grafana");
    const base = await screen.findByTestId("grafana-base-url");
    const user = userEvent.setup();

    fireEvent.change(base, { target: { value: "javascript:alert(1)" } });
    await user.click(screen.getByTestId("grafana-save"));
    expect(
      await within(formItemOf(base)).findByText(/Enter a path on this site/),
    ).toBeInTheDocument();
    expect(fetchedRequests(fetchMock).some((r) => r.method === "PUT")).toBe(false);

    fireEvent.change(base, { target: { value: "/grafana" } });
    await user.click(screen.getByTestId("grafana-save"));
    const uid = formItemOf(screen.getByTestId("grafana-dashboard-uid-1"));
    expect(await within(uid).findByText("no such dashboard here")).toBeInTheDocument();
  });

  it("warns when Grafana is on another site", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "GET /api/grafana/settings": { body: configured },
    });
    renderApp("/settings/grafana");
    fireEvent.change(await screen.findByTestId("grafana-base-url"), {
      target: { value: "https://grafana.example.com" },
    });
    expect(await screen.findByTestId("grafana-cross-origin")).toHaveTextContent(
      "PORTAL_GRAFANA_URL",
    );
  });

  it("is forbidden to a viewer, and not in a viewer's tabs", async () => {
    const fetchMock = mockFetch({ "/api/auth/me": meRoute(aViewer) });
    renderApp("/settings/grafana");
    expect(await screen.findByTestId("forbidden")).toBeInTheDocument();
    expect(screen.queryByRole("tab", { name: "Grafana" })).not.toBeInTheDocument();
    const paths = fetchedRequests(fetchMock).map((r) => new URL(r.url).pathname);
    expect(paths).not.toContain("/api/grafana/settings");
  });
});
