import { Tag } from "antd";
import { SEVERITY_COLORS, SEVERITY_LABELS } from "../lib/severity";
import type { Severity } from "../types";

/** A severity as a coloured tag: critical red, warning orange, info blue. */
export function SeverityTag({ severity }: { severity: Severity }) {
  return (
    <Tag color={SEVERITY_COLORS[severity]} data-testid="severity-tag" data-severity={severity}>
      {SEVERITY_LABELS[severity]}
    </Tag>
  );
}
