import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { aViewer, anAdmin, meRoute, mockFetch, renderApp } from "@/test/utils";
import { defaultBranding } from "@/features/branding";
import { configured, power, unconfigured } from "../testing/fixtures";

afterEach(() => window.localStorage.clear());

describe("Dashboards", () => {
  it("explains how to set Grafana up instead of showing a broken frame", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/grafana/settings": { body: unconfigured },
    });
    const { router } = renderApp("/dashboards");
    const setup = await screen.findByTestId("grafana-setup");
    expect(setup).toHaveTextContent("Grafana is not set up yet");
    expect(setup).toHaveTextContent("portal grafana provision /etc/grafana/provisioning");
    expect(setup).toHaveTextContent("GF_SECURITY_ALLOW_EMBEDDING=true");
    expect(screen.queryByTestId("grafana-frame")).not.toBeInTheDocument();
    await userEvent.setup().click(screen.getByTestId("grafana-setup-link"));
    await waitFor(() => expect(router.state.location.pathname).toBe("/settings/grafana"));
  });

  it("tells a viewer an administrator sets it up, without the admin steps", async () => {
    mockFetch({
      "/api/auth/me": meRoute(aViewer),
      "/api/grafana/settings": { body: { ...unconfigured, base_url: "/grafana" } },
    });
    renderApp("/dashboards");
    const setup = await screen.findByTestId("grafana-setup");
    expect(setup).toHaveTextContent("No Grafana dashboard is selected yet");
    expect(setup).toHaveTextContent("An administrator sets them up.");
    expect(screen.queryByTestId("grafana-setup-link")).not.toBeInTheDocument();
  });

  it("embeds the first dashboard in kiosk mode in the brand's theme, and switches", async () => {
    mockFetch({
      "/api/auth/me": meRoute(aViewer),
      "/api/grafana/settings": { body: configured },
      "/api/branding": { body: { ...defaultBranding, theme: "dark" } },
    });
    const { router } = renderApp("/dashboards");
    const frame = await screen.findByTestId("grafana-frame");
    await waitFor(() =>
      expect(screen.getByTestId("grafana-frame")).toHaveAttribute(
        "src",
        "/grafana/d/power-overview/power-overview?kiosk&theme=dark",
      ),
    );
    expect(frame).toHaveAttribute("title", "Power overview");
    expect(screen.getByTestId("grafana-open")).toHaveAttribute(
      "href",
      "/grafana/d/power-overview/power-overview?theme=dark",
    );

    await userEvent.setup().click(screen.getByText("Fleet"));
    await waitFor(() =>
      expect(screen.getByTestId("grafana-frame")).toHaveAttribute(
        "src",
        "/grafana/d/fleet/fleet?kiosk&theme=dark",
      ),
    );
    expect(screen.getByTestId("grafana-frame")).toHaveStyle({ height: "900px" });
    expect(router.state.location.search).toBe("?dashboard=fleet");
  });

  it("shows no picker for a single dashboard", async () => {
    mockFetch({
      "/api/auth/me": meRoute(aViewer),
      "/api/grafana/settings": { body: { ...configured, dashboards: [power] } },
    });
    renderApp("/dashboards");
    expect(await screen.findByTestId("grafana-frame")).toHaveAttribute(
      "src",
      "/grafana/d/power-overview/power-overview?kiosk&theme=light",
    );
    expect(screen.queryByTestId("grafana-dashboard-picker")).not.toBeInTheDocument();
  });

  it("says why the settings could not be loaded", async () => {
    mockFetch({
      "/api/auth/me": meRoute(aViewer),
      "/api/grafana/settings": { status: 500, body: { detail: "boom" } },
    });
    renderApp("/dashboards");
    expect(await screen.findByTestId("grafana-load-error")).toHaveTextContent("boom");
  });
});
