import { Tag, Tooltip } from "antd";
import {
  connectionColors,
  connectionLabels,
  connectionReason,
  connectionState,
} from "../lib/connection";
import type { GatewayHealth } from "../types";

type ConnectionBadgeProps = { health: GatewayHealth; now: number };

/** Online / Offline / Waiting, recomputed as time passes (the offline badge needs no refresh). */
export function ConnectionBadge({ health, now }: ConnectionBadgeProps) {
  const state = connectionState(health, now);
  return (
    <Tooltip title={connectionReason(state, health.offline_after_seconds)}>
      <Tag color={connectionColors[state]} data-testid="gateway-connection" data-state={state}>
        {connectionLabels[state]}
      </Tag>
    </Tooltip>
  );
}
