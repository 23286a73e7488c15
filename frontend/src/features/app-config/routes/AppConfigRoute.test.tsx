import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { aViewer, anAdmin, fetchedRequests, meRoute, mockFetch, renderApp } from "@/test/utils";
import type { ConfigOverview } from "../api/get-config";

const overview: ConfigOverview = {
  run_mode: "standalone",
  env: "production",
  version: "1.4.0",
  database: {
    source: "url",
    embedded: false,
    host: "db.internal",
    port: 5432,
    name: "portal",
    user: "portal",
  },
  data_dir: "/var/lib/portal",
  listen: "0.0.0.0:8000",
  log_level: "INFO",
  grafana_url: null,
  ingest_max_body_bytes: 10 * 1024 * 1024,
  admin_password_set: true,
  fleet: {
    enabled: false,
    admin_url: null,
    customer_token_set: false,
    interval_seconds: 60,
    batch_size: 5000,
    max_batches_per_tick: 10,
  },
  auth: {
    session_idle_minutes: 30,
    session_absolute_hours: 12,
    lockout_threshold: 5,
    lockout_minutes: 15,
    min_password_length: 10,
    token_failure_limit: 20,
    token_failure_window_seconds: 60,
  },
  mqtt: {
    enabled: true,
    broker: "broker.internal:8883",
    tls: true,
    tls_ca_file: null,
    tls_client_certificate_set: false,
    tls_insecure: false,
    username: "portal",
    password_set: true,
    topic_prefix: "acuvim",
    client_id: "power-portal",
    field_map: "default",
    batch_max_rows: 5000,
    batch_max_seconds: 1,
    offline_after_seconds: 300,
  },
  features: { fleet_push: false, fleet_admin: false, grafana: false, mqtt: false, new_thing: true },
};

describe("Settings → App config", () => {
  it("shows the overview in labelled groups, booleans as tags, and says secrets are not shown", async () => {
    mockFetch({ "/api/auth/me": meRoute(anAdmin), "/api/config": { body: overview } });
    renderApp("/settings/app-config");

    const general = await screen.findByTestId("config-group-general");
    for (const title of ["General", "Database", "Fleet", "Security", "Features"]) {
      expect(screen.getByText(title, { selector: ".ant-card-head-title" })).toBeInTheDocument();
    }
    expect(within(general).getByText("Run mode")).toBeInTheDocument();
    expect(screen.getByTestId("config-general-run_mode")).toHaveTextContent("Standalone");
    expect(screen.getByTestId("config-general-env")).toHaveTextContent("Production");
    expect(screen.getByTestId("config-general-ingest_max_body_bytes")).toHaveTextContent("10 MiB");
    expect(screen.getByTestId("config-general-grafana_url")).toHaveTextContent("not set");
    expect(screen.getByTestId("config-database-host")).toHaveTextContent("db.internal");
    expect(screen.getByTestId("config-database-embedded")).toHaveTextContent("No");
    expect(screen.getByTestId("config-fleet-customer_token_set")).toHaveTextContent("Not set");
    expect(screen.getByTestId("config-mqtt-broker")).toHaveTextContent("broker.internal:8883");
    expect(screen.getByTestId("config-mqtt-password_set")).toHaveTextContent("Set");
    expect(screen.getByTestId("config-security-admin_password_set")).toHaveTextContent("Set");
    expect(screen.getByTestId("config-security-session_idle_minutes")).toHaveTextContent(
      "30 minutes",
    );
    const features = screen.getByTestId("config-group-features");
    expect(within(features).getByText("MQTT ingest")).toBeInTheDocument();
    expect(within(features).getByText("New thing")).toBeInTheDocument();
    expect(
      screen.getByTestId("config-features-new_thing").querySelector(".ant-tag"),
    ).toHaveTextContent("Enabled");
    expect(screen.getByTestId("app-config-secrets-note")).toHaveTextContent(
      "Secrets are never shown",
    );
  });

  it("shows why the overview could not be loaded", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/config": { status: 500, body: { detail: "boom" } },
    });
    renderApp("/settings/app-config");
    expect(await screen.findByTestId("app-config-error")).toHaveTextContent("boom");
  });

  it("is forbidden to a viewer, and the config is not asked for", async () => {
    const fetchMock = mockFetch({ "/api/auth/me": meRoute(aViewer) });
    renderApp("/settings/app-config");
    expect(await screen.findByTestId("forbidden")).toBeInTheDocument();
    const paths = fetchedRequests(fetchMock).map((r) => new URL(r.url).pathname);
    expect(paths).not.toContain("/api/config");
  });
});
