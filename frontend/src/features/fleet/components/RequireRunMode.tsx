import { Result, Spin } from "antd";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { errorMessage } from "@/api/errors";
import { useHealth } from "@/features/health";
import type { RunMode } from "../types";

type RequireRunModeProps = { mode: RunMode; children: ReactNode };

/** Render `children` only on a stack in run mode `mode` (from GET /api/health). */
export function RequireRunMode({ mode, children }: RequireRunModeProps) {
  const health = useHealth();
  if (health.isPending) {
    return (
      <div style={{ padding: 48, textAlign: "center" }}>
        <Spin />
      </div>
    );
  }
  if (health.data?.run_mode === mode) return <>{children}</>;
  if (!health.data) {
    return (
      <Result
        data-testid="run-mode-unknown"
        status="error"
        title="The portal could not say how it runs"
        subTitle={errorMessage(health.error)}
        extra={<Link to="/">Back to the dashboard</Link>}
      />
    );
  }
  return (
    <Result
      data-testid="wrong-run-mode"
      status="info"
      title={mode === "admin" ? "The fleet is on the admin stack" : "This stack does not push"}
      subTitle={
        mode === "admin"
          ? "This page exists when the portal runs with PORTAL_RUN_MODE=admin."
          : "This page exists when the portal runs with PORTAL_RUN_MODE=client."
      }
      extra={<Link to="/">Back to the dashboard</Link>}
    />
  );
}
