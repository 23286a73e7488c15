import { Tag, Tooltip } from "antd";
import { formatDateTimeIn } from "@/components/data-display/format";
import { freshness, freshnessColors, lastSeenLabel } from "../lib/freshness";

type FreshnessTagProps = {
  at: string | null | undefined;
  now: number;
  testId?: string;
};

/** When a stack last pushed, by age: green < 15 min, orange < 24 h, red older, grey never. */
export function FreshnessTag({ at, now, testId = "customer-last-seen" }: FreshnessTagProps) {
  const status = freshness(at, now);
  return (
    <Tooltip title={at ? formatDateTimeIn(at) : "This stack has not pushed anything yet"}>
      <Tag color={freshnessColors[status]} data-testid={testId} data-status={status}>
        {lastSeenLabel(at, now)}
      </Tag>
    </Tooltip>
  );
}

/** Active or deactivated. */
export function ActiveTag({ active }: { active: boolean }) {
  return active ? (
    <Tag color="blue" data-testid="customer-active" data-active="true">
      Active
    </Tag>
  ) : (
    <Tag color="default" data-testid="customer-active" data-active="false">
      Deactivated
    </Tag>
  );
}
