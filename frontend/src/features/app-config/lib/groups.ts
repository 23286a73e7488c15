import type { ConfigOverview } from "../api/get-config";

/** How one value is shown. */
export type ConfigValue =
  | { kind: "text"; value: string | number | null; mono?: boolean }
  | { kind: "flag"; value: boolean; on: string; off: string };

export type ConfigItem = { key: string; label: string; value: ConfigValue };
export type ConfigGroup = { key: string; title: string; items: ConfigItem[] };

const text = (value: string | number | null, mono = false): ConfigValue => ({
  kind: "text",
  value,
  mono,
});
const enabled = (value: boolean): ConfigValue => ({
  kind: "flag",
  value,
  on: "Enabled",
  off: "Disabled",
});
const yesNo = (value: boolean): ConfigValue => ({ kind: "flag", value, on: "Yes", off: "No" });
const isSet = (value: boolean): ConfigValue => ({ kind: "flag", value, on: "Set", off: "Not set" });

const RUN_MODES: Record<string, string> = {
  standalone: "Standalone",
  client: "Client (pushes to a fleet admin)",
  admin: "Fleet admin",
};

const DATABASE_SOURCES: Record<string, string> = {
  embedded: "Embedded PostgreSQL (managed by the portal)",
  url: "Database URL (PORTAL_DATABASE_URL)",
  parts: "Database settings (PORTAL_DB__*)",
  config_file: "portal.toml",
};

/** Friendly names for the feature switches; unknown ones are spelled out from their key. */
export const FEATURE_LABELS: Record<string, string> = {
  fleet_push: "Fleet push (send readings to the fleet admin)",
  fleet_admin: "Fleet admin (receive readings from client portals)",
  grafana: "Grafana dashboards",
  metrics: "Prometheus metrics (/metrics, with a token)",
  mqtt: "MQTT ingest",
};

export function humanize(key: string): string {
  const words = key.replace(/[_-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** 10485760 → "10 MiB"; 1500 → "1,500 bytes". */
export function formatBytes(bytes: number): string {
  const units = ["KiB", "MiB", "GiB"] as const;
  let value = bytes;
  let unit: string | null = null;
  for (const next of units) {
    if (value < 1024 || value % 1024 !== 0) break;
    value /= 1024;
    unit = next;
  }
  return unit ? `${value.toLocaleString("en")} ${unit}` : `${bytes.toLocaleString("en")} bytes`;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;
}

/** The overview, grouped and labelled for people (General, Database, Fleet, Security, Features). */
export function configGroups(config: ConfigOverview): ConfigGroup[] {
  const { database: db, fleet, auth, mqtt } = config;
  return [
    {
      key: "general",
      title: "General",
      items: [
        {
          key: "run_mode",
          label: "Run mode",
          value: text(RUN_MODES[config.run_mode] ?? config.run_mode),
        },
        { key: "env", label: "Environment", value: text(humanize(config.env)) },
        { key: "version", label: "Version", value: text(config.version, true) },
        { key: "listen", label: "Listening on", value: text(config.listen, true) },
        { key: "log_level", label: "Log level", value: text(config.log_level) },
        { key: "data_dir", label: "Data directory", value: text(config.data_dir, true) },
        { key: "grafana_url", label: "Grafana URL", value: text(config.grafana_url, true) },
        {
          key: "ingest_max_body_bytes",
          label: "Largest ingest request",
          value: text(formatBytes(config.ingest_max_body_bytes)),
        },
      ],
    },
    {
      key: "database",
      title: "Database",
      items: [
        {
          key: "source",
          label: "Configured by",
          value: text(DATABASE_SOURCES[db.source] ?? humanize(db.source)),
        },
        { key: "embedded", label: "Embedded server", value: yesNo(db.embedded) },
        { key: "host", label: "Host", value: text(db.host, true) },
        { key: "port", label: "Port", value: text(db.port, true) },
        { key: "name", label: "Database name", value: text(db.name, true) },
        { key: "user", label: "User", value: text(db.user, true) },
      ],
    },
    {
      key: "fleet",
      title: "Fleet",
      items: [
        { key: "enabled", label: "Fleet push", value: enabled(fleet.enabled) },
        { key: "admin_url", label: "Fleet admin URL", value: text(fleet.admin_url, true) },
        {
          key: "customer_token_set",
          label: "Customer token",
          value: isSet(fleet.customer_token_set),
        },
        {
          key: "interval_seconds",
          label: "Push interval",
          value: text(`${fleet.interval_seconds.toLocaleString("en")} s`),
        },
        {
          key: "batch_size",
          label: "Batch size",
          value: text(plural(fleet.batch_size, "reading")),
        },
        {
          key: "max_batches_per_tick",
          label: "Batches per push",
          value: text(`at most ${fleet.max_batches_per_tick.toLocaleString("en")}`),
        },
      ],
    },
    {
      key: "mqtt",
      title: "Gateways over MQTT",
      items: [
        { key: "enabled", label: "MQTT bridge", value: enabled(mqtt.enabled) },
        { key: "broker", label: "Broker", value: text(mqtt.broker, true) },
        { key: "tls", label: "TLS", value: yesNo(mqtt.tls) },
        { key: "tls_ca_file", label: "CA file", value: text(mqtt.tls_ca_file, true) },
        {
          key: "tls_client_certificate_set",
          label: "Client certificate",
          value: isSet(mqtt.tls_client_certificate_set),
        },
        { key: "tls_insecure", label: "Skip host-name check", value: yesNo(mqtt.tls_insecure) },
        { key: "username", label: "User", value: text(mqtt.username, true) },
        { key: "password_set", label: "Password", value: isSet(mqtt.password_set) },
        { key: "topic_prefix", label: "Topic prefix", value: text(mqtt.topic_prefix, true) },
        { key: "client_id", label: "Client id", value: text(mqtt.client_id, true) },
        { key: "field_map", label: "Field map", value: text(mqtt.field_map, true) },
        {
          key: "batch",
          label: "Batches",
          value: text(
            `up to ${plural(mqtt.batch_max_rows, "reading")} or ${mqtt.batch_max_seconds.toLocaleString("en")} s`,
          ),
        },
        {
          key: "offline_after_seconds",
          label: "Offline after silence of",
          value: text(plural(mqtt.offline_after_seconds, "second")),
        },
      ],
    },
    {
      key: "security",
      title: "Security",
      items: [
        {
          key: "admin_password_set",
          label: "First-admin password (PORTAL_ADMIN_PASSWORD)",
          value: isSet(config.admin_password_set),
        },
        {
          key: "session_idle_minutes",
          label: "Session ends after idle",
          value: text(plural(auth.session_idle_minutes, "minute")),
        },
        {
          key: "session_absolute_hours",
          label: "Session ends after at most",
          value: text(plural(auth.session_absolute_hours, "hour")),
        },
        {
          key: "lockout_threshold",
          label: "Lock an account after",
          value: text(plural(auth.lockout_threshold, "failed login")),
        },
        {
          key: "lockout_minutes",
          label: "Lockout lasts",
          value: text(plural(auth.lockout_minutes, "minute")),
        },
        {
          key: "min_password_length",
          label: "Shortest password",
          value: text(plural(auth.min_password_length, "character")),
        },
        {
          key: "token_failure_limit",
          label: "Unknown ingest tokens before 429",
          value: text(
            `${plural(auth.token_failure_limit, "token")} per ${plural(auth.token_failure_window_seconds, "second")} from one address`,
          ),
        },
      ],
    },
    {
      key: "features",
      title: "Features",
      items: Object.entries(config.features).map(([key, on]) => ({
        key,
        label: FEATURE_LABELS[key] ?? humanize(key),
        value: enabled(on),
      })),
    },
  ];
}
