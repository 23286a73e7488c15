/** Severities: their order, labels and tag colours. */
import type { Severity } from "../types";

export const SEVERITIES: readonly Severity[] = ["info", "warning", "critical"];

export const SEVERITY_LABELS: Record<Severity, string> = {
  info: "Info",
  warning: "Warning",
  critical: "Critical",
};

/** antd Tag colours: critical is red, warning orange, info blue. */
export const SEVERITY_COLORS: Record<Severity, string> = {
  info: "blue",
  warning: "orange",
  critical: "red",
};

export function isSeverity(value: unknown): value is Severity {
  return typeof value === "string" && (SEVERITIES as readonly string[]).includes(value);
}

/** The severities in their order (info, warning, critical), whatever order they were picked in. */
export function sortSeverities(values: readonly Severity[]): Severity[] {
  return SEVERITIES.filter((s) => values.includes(s));
}
