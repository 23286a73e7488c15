import { formatAge } from "@/components/data-display/reading-age";
import type { ConnectionState, GatewayHealth } from "../types";

/**
 * Whether a gateway counts as online, computed in the browser so the badge
 * turns "Offline" on time without waiting for the next refresh. The same rule
 * as the server's (`mqtt.service.connection_state`):
 * offline when it said so (or the broker published its last will), "never"
 * before its first message, silent (shown as offline) after `offline_after_seconds`.
 */
export function connectionState(
  health: Pick<GatewayHealth, "status" | "last_seen_at" | "offline_after_seconds">,
  now: number,
): ConnectionState {
  if (health.status === "offline") return "offline";
  if (!health.last_seen_at) return "never";
  const seen = Date.parse(health.last_seen_at);
  if (Number.isNaN(seen)) return "never";
  return now - seen > health.offline_after_seconds * 1000 ? "silent" : "online";
}

export function isOffline(state: ConnectionState): boolean {
  return state === "offline" || state === "silent";
}

export const connectionLabels: Record<ConnectionState, string> = {
  online: "Online",
  offline: "Offline",
  silent: "Offline",
  never: "Waiting",
};

export const connectionColors: Record<ConnectionState, string> = {
  online: "green",
  offline: "red",
  silent: "red",
  never: "default",
};

/** Why the badge says what it says, for its tooltip. */
export function connectionReason(state: ConnectionState, offlineAfterSeconds: number): string {
  switch (state) {
    case "online":
      return "Heard from recently.";
    case "offline":
      return "The gateway went offline (its own status, or the last will the broker published).";
    case "silent":
      return `Nothing heard for more than ${formatDuration(offlineAfterSeconds)}.`;
    case "never":
      return "No message from this gateway yet.";
  }
}

export type SignalQuality = "excellent" | "good" | "fair" | "weak" | "unknown";

/** Wi-Fi RSSI in dBm: -55 and up excellent, -67 good, -75 fair, below that weak. */
export function signalQuality(rssiDbm: number | null | undefined): SignalQuality {
  if (rssiDbm === null || rssiDbm === undefined || !Number.isFinite(rssiDbm)) return "unknown";
  if (rssiDbm >= -55) return "excellent";
  if (rssiDbm >= -67) return "good";
  if (rssiDbm >= -75) return "fair";
  return "weak";
}

export const signalColors: Record<SignalQuality, string> = {
  excellent: "green",
  good: "green",
  fair: "orange",
  weak: "red",
  unknown: "default",
};

/** A share of failed Modbus polls (0..1) as a percentage: "0 %", "0.25 %", "12 %". */
export function formatErrorRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return "—";
  const percent = rate * 100;
  if (percent === 0) return "0 %";
  const digits = percent < 1 ? 2 : percent < 10 ? 1 : 0;
  return `${percent.toFixed(digits)} %`;
}

/** A Modbus error rate worth a warning colour: above 1 % orange, above 10 % red. */
export function errorRateColor(rate: number | null | undefined): string | undefined {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return undefined;
  if (rate > 0.1) return "red";
  if (rate > 0.01) return "orange";
  return undefined;
}

/** Seconds as "45 s", "12 min", "5 h 3 min", "3 d 4 h". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

export type SiteGateways = { total: number; online: number; offline: number; waiting: number };

/** Per site: how many of its gateways are online, offline (or silent), or not heard from yet. */
export function gatewaysBySite(healths: GatewayHealth[], now: number): Map<number, SiteGateways> {
  const bySite = new Map<number, SiteGateways>();
  for (const health of healths) {
    const summary = bySite.get(health.site_id) ?? { total: 0, online: 0, offline: 0, waiting: 0 };
    const state = connectionState(health, now);
    summary.total += 1;
    if (state === "online") summary.online += 1;
    else if (state === "never") summary.waiting += 1;
    else summary.offline += 1;
    bySite.set(health.site_id, summary);
  }
  return bySite;
}

/** When a gateway was last heard: "just now", "12 s ago" (the window may be short), "4 min ago". */
export function formatSeen(lastSeenAt: string | null | undefined, now: number): string {
  if (!lastSeenAt) return "never";
  const at = Date.parse(lastSeenAt);
  if (Number.isNaN(at)) return "never";
  const seconds = Math.floor(Math.max(0, now - at) / 1000);
  if (seconds < 5) return "just now";
  return seconds < 60 ? `${seconds} s ago` : formatAge(lastSeenAt, now);
}
