import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { BridgeStatus, GatewayHealth, PendingGateway } from "@/features/gateways";
import { aViewer, anAdmin, fetchedRequests, meRoute, mockFetch, renderApp } from "@/test/utils";
import type { Device, Site } from "../types";

const site: Site = {
  id: 1,
  name: "Plant",
  timezone: "Africa/Johannesburg",
  utility: null,
  address: null,
  tariff_id: null,
  device_count: 1,
  discrepancy_percent: 5,
  metering: "all_devices",
  created_at: "2026-01-01T00:00:00Z",
};

const device: Device = {
  id: 7,
  site_id: 1,
  name: "Main incomer",
  serial: "ACV-AABBCCDDEEFF",
  model: "Acuvim II",
  role: "submeter",
  parent_id: null,
  created_at: "2026-01-01T00:00:00Z",
  last_reading_at: new Date().toISOString(),
};

const bridge: BridgeStatus = {
  enabled: true,
  running: true,
  connected: true,
  broker: "broker.internal:1883",
  tls: false,
  topic_prefix: "acuvim",
  field_map: "default",
  connected_since: "2026-01-01T00:00:00Z",
  last_message_at: null,
  last_error: null,
  connection_failures: 0,
  messages_received: 12,
  telemetry_messages: 10,
  rows_stored: 10,
  duplicates: 0,
  batches_stored: 2,
  unaccepted_messages: 2,
  rejected_messages: 0,
  rejects: {},
  unknown_keys: { thd: 3 },
  store_failures: 0,
  rows_dropped: 0,
  updated_at: null,
};

const newcomer: PendingGateway = {
  gateway_id: "ACV-112233445566",
  first_seen_at: "2026-01-01T00:00:00Z",
  last_seen_at: new Date().toISOString(),
  message_count: 42,
  registered_at: "2026-01-01T00:00:00Z",
  firmware: "1.4.2",
  model: "Acuvim II",
  last_topic: "devices/register",
  dismissed_at: null,
};

function health(overrides: Partial<GatewayHealth> = {}): GatewayHealth {
  return {
    device_id: 7,
    device_name: "Main incomer",
    serial: "ACV-AABBCCDDEEFF",
    site_id: 1,
    state: "online",
    online: true,
    status: "online",
    status_at: null,
    last_seen_at: new Date().toISOString(),
    last_telemetry_at: null,
    last_heartbeat_at: null,
    firmware: "1.4.2",
    uptime_seconds: 7200,
    rssi_dbm: -61,
    modbus_error_rate: 0.05,
    sd_state: "ok",
    messages_received: 10,
    messages_rejected: 0,
    latest_reading_at: new Date().toISOString(),
    latest_power_kw: 13.38,
    offline_after_seconds: 300,
    ...overrides,
  };
}

describe("Sites page: gateways", () => {
  it("shows the bridge, the pending gateways and each site's gateways; an admin accepts one", async () => {
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites": { body: [site] },
      "/api/gateways/bridge": { body: bridge },
      "/api/gateways/pending": { body: [newcomer] },
      "/api/gateways/health": { body: [health(), health({ device_id: 8, status: "offline" })] },
      "POST /api/gateways/pending/ACV-112233445566/accept": {
        status: 201,
        body: { ...device, id: 9, serial: newcomer.gateway_id, name: "Press line" },
      },
    });
    renderApp("/sites");

    expect(await screen.findByTestId("bridge-status")).toHaveTextContent("MQTT connected");
    const row = await screen.findByTestId("pending-gateway-ACV-112233445566");
    expect(row).toHaveTextContent("Acuvim II");
    expect(within(row).getByTestId("pending-gateway-messages")).toHaveTextContent("42");
    const siteRow = await screen.findByTestId("site-row-Plant");
    await waitFor(() =>
      expect(within(siteRow).getByTestId("site-gateways")).toHaveTextContent("1 online"),
    );
    expect(within(siteRow).getByTestId("site-gateways-offline")).toHaveTextContent("1 offline");

    const user = userEvent.setup();
    await user.click(within(row).getByTestId("pending-gateway-accept"));
    const form = await screen.findByTestId("accept-gateway-form");
    // the only site is preselected; the name defaults to model and id
    expect(within(form).getByTestId("accept-gateway-name")).toHaveValue(
      "Acuvim II ACV-112233445566",
    );
    await user.clear(within(form).getByTestId("accept-gateway-name"));
    await user.type(within(form).getByTestId("accept-gateway-name"), "Press line");
    await user.click(screen.getByTestId("accept-gateway-submit"));

    await waitFor(() =>
      expect(fetchedRequests(fetchMock).some((r) => r.method === "POST")).toBe(true),
    );
    const post = fetchedRequests(fetchMock).find((r) => r.method === "POST");
    expect(await post?.json()).toEqual({
      site_id: 1,
      name: "Press line",
      model: "Acuvim II",
      role: "submeter",
    });
    expect(await screen.findByText("Press line is now a device of Plant")).toBeInTheDocument();
  });

  it("shows a viewer the list without buttons, and a friendly empty state", async () => {
    mockFetch({
      "/api/auth/me": meRoute(aViewer),
      "/api/sites": { body: [site] },
      "/api/gateways/bridge": { body: bridge },
      "/api/gateways/pending": { body: [] },
      "/api/gateways/health": { body: [] },
    });
    renderApp("/sites");

    const empty = await screen.findByTestId("pending-gateways-empty");
    expect(empty).toHaveTextContent("No gateways waiting");
    expect(empty).toHaveTextContent("devices/register");
    expect(screen.queryByTestId("pending-gateway-accept")).not.toBeInTheDocument();
  });

  it("hides the panel while MQTT is off and nothing waits", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites": { body: [site] },
      "/api/gateways/bridge": {
        body: { ...bridge, enabled: false, running: false, connected: false },
      },
      "/api/gateways/pending": { body: [] },
      "/api/gateways/health": { body: [] },
    });
    renderApp("/sites");

    expect(await screen.findByTestId("bridge-status")).toHaveTextContent("MQTT off");
    expect(screen.queryByTestId("pending-gateways")).not.toBeInTheDocument();
  });

  it("shows each device's gateway health on the site's page", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites/1": { body: site },
      "/api/sites/1/devices": { body: [device] },
      "/api/gateways/health": { body: [health()] },
    });
    renderApp("/sites/1");

    const row = await screen.findByTestId("device-row-ACV-AABBCCDDEEFF");
    await waitFor(() =>
      expect(within(row).getByTestId("gateway-connection")).toHaveTextContent("Online"),
    );
    expect(within(row).getByTestId("gateway-power")).toHaveTextContent("13.4 kW");
    expect(within(row).getByTestId("gateway-signal")).toHaveTextContent("-61 dBm");
    expect(within(row).getByTestId("gateway-firmware")).toHaveTextContent("1.4.2");
    expect(within(row).getByTestId("gateway-errors")).toHaveTextContent("5.0 %");
  });

  it("shows the offline badge when the last will arrived", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/sites/1": { body: site },
      "/api/sites/1/devices": { body: [device] },
      "/api/gateways/health": { body: [health({ status: "offline" })] },
    });
    renderApp("/sites/1");

    const row = await screen.findByTestId("device-row-ACV-AABBCCDDEEFF");
    await waitFor(() =>
      expect(within(row).getByTestId("gateway-connection")).toHaveAttribute(
        "data-state",
        "offline",
      ),
    );
    expect(within(row).getByTestId("gateway-connection")).toHaveTextContent("Offline");
  });
});
