import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { AutoComplete, Button, Flex, Input, theme, Tooltip, Typography } from "antd";
import { periodColor } from "@/lib/period-colors";
import { DAY_LABELS, DAYS } from "../lib/types";
import type { Day, PeriodDraft } from "../lib/types";
import { ProblemText, useProblems } from "./problems";

type WindowsListProps = {
  v: number;
  season: string;
  periods: readonly PeriodDraft[];
  names: readonly string[];
  /** The name a new window gets. */
  defaultName: string;
  onChange: (periods: PeriodDraft[]) => void;
};

function DayToggles({
  days,
  onChange,
  testIdPrefix,
  invalid,
}: {
  days: readonly Day[];
  onChange: (days: Day[]) => void;
  testIdPrefix: string;
  invalid: boolean;
}) {
  const { token } = theme.useToken();
  return (
    <Flex gap={2} role="group" aria-label="Days" data-testid={`${testIdPrefix}-days`}>
      {DAYS.map((day) => {
        const on = days.includes(day);
        const borderColor = invalid
          ? token.colorError
          : on
            ? token.colorPrimary
            : token.colorBorder;
        return (
          <button
            key={day}
            type="button"
            data-testid={`${testIdPrefix}-day-${day}`}
            aria-pressed={on}
            onClick={() =>
              onChange(
                on
                  ? days.filter((d) => d !== day)
                  : DAYS.filter((d) => d === day || days.includes(d)),
              )
            }
            style={{
              width: 34,
              height: 28,
              fontSize: 12,
              cursor: "pointer",
              borderRadius: 4,
              border: `1px solid ${borderColor}`,
              background: on ? token.colorPrimary : token.colorBgContainer,
              color: on ? "#fff" : token.colorTextSecondary,
            }}
          >
            {DAY_LABELS[day]}
          </button>
        );
      })}
    </Flex>
  );
}

/** The windows of one season as a list: exact (minute-level) times, days, period. */
export function WindowsList({
  v,
  season,
  periods,
  names,
  defaultName,
  onChange,
}: WindowsListProps) {
  const { token } = theme.useToken();
  const problems = useProblems();
  const rows = periods.map((p, i) => ({ p, i })).filter(({ p }) => p.season === season);
  const update = (i: number, changes: Partial<PeriodDraft>) =>
    onChange(periods.map((p, j) => (j === i ? { ...p, ...changes } : p)));
  const at = (i: number, field?: string) => `versions.${v}.periods.${i}${field ? `.${field}` : ""}`;

  return (
    <div data-testid={`windows-${season}`}>
      {rows.length === 0 && (
        <Typography.Text type="secondary">
          No windows in this season yet: paint the grid or add one.
        </Typography.Text>
      )}
      {rows.map(({ p, i }) => {
        const rowProblem = problems.at(at(i)).length > 0;
        const fieldError = (f: string) => problems.at(at(i, f)).length > 0;
        return (
          <div
            key={i}
            data-testid={`window-row-${i}`}
            data-error={rowProblem ? "true" : undefined}
            style={{
              padding: "6px 8px",
              marginBottom: 4,
              borderRadius: token.borderRadius,
              border: `1px solid ${rowProblem ? token.colorError : token.colorBorderSecondary}`,
              background: rowProblem ? token.colorErrorBg : undefined,
            }}
          >
            <Flex wrap gap={8} align="center">
              <span
                style={{
                  width: 10,
                  height: 28,
                  borderRadius: 3,
                  background: p.name ? periodColor(p.name, names) : token.colorFill,
                }}
              />
              <AutoComplete
                data-testid={`window-${i}-name`}
                aria-label="Period"
                value={p.name}
                options={names.map((n) => ({ value: n }))}
                onChange={(value: string) => update(i, { name: value })}
                status={fieldError("name") ? "error" : undefined}
                style={{ width: 140 }}
                placeholder="period"
              />
              <DayToggles
                days={p.days}
                testIdPrefix={`window-${i}`}
                invalid={fieldError("days")}
                onChange={(days) => update(i, { days })}
              />
              <Input
                data-testid={`window-${i}-start`}
                aria-label="From"
                value={p.start}
                placeholder="HH:MM"
                maxLength={5}
                status={fieldError("start") ? "error" : undefined}
                onChange={(e) => update(i, { start: e.target.value })}
                style={{ width: 74, fontVariantNumeric: "tabular-nums" }}
              />
              <Typography.Text type="secondary">to</Typography.Text>
              <Input
                data-testid={`window-${i}-end`}
                aria-label="To"
                value={p.end}
                placeholder="HH:MM"
                maxLength={5}
                status={fieldError("end") ? "error" : undefined}
                onChange={(e) => update(i, { end: e.target.value })}
                style={{ width: 74, fontVariantNumeric: "tabular-nums" }}
              />
              <Tooltip title="Remove this window">
                <Button
                  data-testid={`window-${i}-remove`}
                  aria-label="Remove window"
                  type="text"
                  icon={<DeleteOutlined />}
                  onClick={() => onChange(periods.filter((_, j) => j !== i))}
                />
              </Tooltip>
            </Flex>
            {["", "name", "days", "start", "end", "season"].map((f) => (
              <ProblemText key={f} at={at(i, f || undefined)} style={{ marginTop: 4 }} />
            ))}
          </div>
        );
      })}
      <Button
        data-testid={`add-window-${season}`}
        type="dashed"
        size="small"
        icon={<PlusOutlined />}
        style={{ marginTop: 4 }}
        onClick={() =>
          onChange([
            ...periods,
            {
              name: defaultName,
              season,
              days: ["mon", "tue", "wed", "thu", "fri"],
              start: "08:00",
              end: "09:00",
            },
          ])
        }
      >
        Add window
      </Button>
      <Typography.Text type="secondary" style={{ fontSize: 12, marginInlineStart: 12 }}>
        Times are HH:MM, end exclusive; 24:00 is the end of the day. A window ending before it
        starts wraps midnight (22:00 to 06:00 covers both ends of each day).
      </Typography.Text>
    </div>
  );
}
