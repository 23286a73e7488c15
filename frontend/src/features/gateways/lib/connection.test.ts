import { describe, expect, it } from "vitest";
import type { GatewayHealth } from "../types";
import {
  connectionState,
  errorRateColor,
  formatDuration,
  formatErrorRate,
  formatSeen,
  gatewaysBySite,
  isOffline,
  signalQuality,
} from "./connection";

const now = Date.UTC(2026, 4, 1, 12, 0);
const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();

function health(overrides: Partial<GatewayHealth> = {}): GatewayHealth {
  return {
    device_id: 1,
    device_name: "Main incomer",
    serial: "ACV-AABBCCDDEEFF",
    site_id: 1,
    state: "online",
    online: true,
    status: "online",
    status_at: ago(60),
    last_seen_at: ago(10),
    last_telemetry_at: ago(10),
    last_heartbeat_at: ago(30),
    firmware: "1.4.2",
    uptime_seconds: 3600,
    rssi_dbm: -67,
    modbus_error_rate: 0.002,
    sd_state: "ok",
    messages_received: 100,
    messages_rejected: 0,
    latest_reading_at: ago(10),
    latest_power_kw: 13.4,
    offline_after_seconds: 300,
    ...overrides,
  };
}

describe("connectionState", () => {
  it("is online while the gateway was heard from within the window", () => {
    expect(connectionState(health({ last_seen_at: ago(0) }), now)).toBe("online");
    expect(connectionState(health({ last_seen_at: ago(300) }), now)).toBe("online");
  });

  it("turns silent (shown offline) after the configured silence, without a refresh", () => {
    const seen = health({ last_seen_at: ago(299), offline_after_seconds: 300 });
    expect(connectionState(seen, now)).toBe("online");
    expect(connectionState(seen, now + 2000)).toBe("silent");
    expect(isOffline(connectionState(seen, now + 2000))).toBe(true);
    // a short window (the e2e test uses seconds)
    expect(connectionState(health({ last_seen_at: ago(4), offline_after_seconds: 3 }), now)).toBe(
      "silent",
    );
  });

  it("is offline as soon as the gateway (or its last will) says so", () => {
    expect(connectionState(health({ status: "offline", last_seen_at: ago(1) }), now)).toBe(
      "offline",
    );
  });

  it("is 'never' before the first message", () => {
    expect(connectionState(health({ status: null, last_seen_at: null }), now)).toBe("never");
    expect(connectionState(health({ last_seen_at: "garbage" }), now)).toBe("never");
    expect(isOffline("never")).toBe(false);
  });
});

describe("formatting", () => {
  it("grades the Wi-Fi signal", () => {
    expect(signalQuality(-50)).toBe("excellent");
    expect(signalQuality(-67)).toBe("good");
    expect(signalQuality(-70)).toBe("fair");
    expect(signalQuality(-85)).toBe("weak");
    expect(signalQuality(null)).toBe("unknown");
  });

  it("shows the Modbus error rate as a percentage, coloured when it matters", () => {
    expect(formatErrorRate(0)).toBe("0 %");
    expect(formatErrorRate(0.0025)).toBe("0.25 %");
    expect(formatErrorRate(0.05)).toBe("5.0 %");
    expect(formatErrorRate(0.5)).toBe("50 %");
    expect(formatErrorRate(null)).toBe("—");
    expect(errorRateColor(0.001)).toBeUndefined();
    expect(errorRateColor(0.05)).toBe("orange");
    expect(errorRateColor(0.2)).toBe("red");
  });

  it("says when a gateway was last heard, to the second under a minute", () => {
    expect(formatSeen(ago(2), now)).toBe("just now");
    expect(formatSeen(ago(12), now)).toBe("12 s ago");
    expect(formatSeen(ago(4 * 60), now)).toBe("4 min ago");
    expect(formatSeen(null, now)).toBe("never");
  });

  it("writes durations for people", () => {
    expect(formatDuration(45)).toBe("45 s");
    expect(formatDuration(12 * 60 + 5)).toBe("12 min");
    expect(formatDuration(5 * 3600 + 3 * 60)).toBe("5 h 3 min");
    expect(formatDuration(3 * 86400 + 4 * 3600)).toBe("3 d 4 h");
    expect(formatDuration(2 * 86400)).toBe("2 d");
    expect(formatDuration(undefined)).toBe("—");
  });
});

describe("gatewaysBySite", () => {
  it("counts each site's gateways by state", () => {
    const summary = gatewaysBySite(
      [
        health({ device_id: 1, site_id: 1 }),
        health({ device_id: 2, site_id: 1, status: "offline" }),
        health({ device_id: 3, site_id: 1, last_seen_at: ago(3600) }),
        health({ device_id: 4, site_id: 2, status: null, last_seen_at: null }),
      ],
      now,
    );
    expect(summary.get(1)).toEqual({ total: 3, online: 1, offline: 2, waiting: 0 });
    expect(summary.get(2)).toEqual({ total: 1, online: 0, offline: 0, waiting: 1 });
    expect(summary.get(3)).toBeUndefined();
  });
});
