import { Timeline, Typography } from "antd";
import { formatDateTimeIn } from "@/components/data-display/format";
import { formatValue } from "../lib/alerts";
import type { AlertEvent } from "../types";

const EVENT_COLORS: Record<string, string> = {
  fired: "red",
  acknowledged: "blue",
  resolved: "green",
};

const EVENT_LABELS: Record<string, string> = {
  fired: "Fired",
  acknowledged: "Acknowledged",
  resolved: "Resolved",
};

/** An alert's transitions, oldest first: fired, acknowledged, resolved, with times and messages. */
export function AlertTimeline({ events, unit }: { events: AlertEvent[]; unit: string | null }) {
  const ordered = [...events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.id - b.id);
  return (
    <Timeline
      data-testid="alert-events"
      items={ordered.map((e) => ({
        key: e.id,
        color: EVENT_COLORS[e.event] ?? "gray",
        content: (
          <div data-testid={`alert-event-${e.id}`} data-event={e.event}>
            <Typography.Text strong>{EVENT_LABELS[e.event] ?? e.event}</Typography.Text>{" "}
            <Typography.Text type="secondary">{formatDateTimeIn(e.at)}</Typography.Text>
            <div>{e.message}</div>
            {e.value !== null && e.event !== "acknowledged" && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                Value {formatValue(e.value, unit)}
              </Typography.Text>
            )}
          </div>
        ),
      }))}
    />
  );
}
