import { ClearOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Flex, Input, Popover, theme, Typography } from "antd";
import { useState } from "react";
import { periodColor } from "@/lib/period-colors";

type PeriodPaletteProps = {
  names: readonly string[];
  /** The selected brush: a period name, or null for the eraser. */
  brush: string | null;
  onBrush: (brush: string | null) => void;
  onAdd: (name: string) => void;
};

/** Pick what the grid paints: one of the version's periods, a new one, or the eraser. */
export function PeriodPalette({ names, brush, onBrush, onAdd }: PeriodPaletteProps) {
  const { token } = theme.useToken();
  const [adding, setAdding] = useState(false);
  const [name, setName] = useState("");
  const trimmed = name.trim();
  const taken = names.includes(trimmed);

  const add = () => {
    if (!trimmed || taken) return;
    onAdd(trimmed);
    setName("");
    setAdding(false);
  };

  return (
    <Flex wrap gap={8} align="center" data-testid="palette">
      <Typography.Text type="secondary" style={{ marginInlineEnd: 4 }}>
        Paint with
      </Typography.Text>
      {names.map((n) => {
        const selected = brush === n;
        const color = periodColor(n, names);
        return (
          <Button
            key={n}
            data-testid={`palette-${n}`}
            aria-pressed={selected}
            onClick={() => onBrush(n)}
            style={{
              borderColor: selected ? color : undefined,
              boxShadow: selected ? `0 0 0 2px ${color}55` : undefined,
              fontWeight: selected ? 600 : undefined,
            }}
          >
            <span
              style={{
                display: "inline-block",
                width: 12,
                height: 12,
                borderRadius: 3,
                background: color,
              }}
            />
            {n}
          </Button>
        );
      })}
      <Button
        data-testid="palette-erase"
        aria-pressed={brush === null}
        icon={<ClearOutlined />}
        onClick={() => onBrush(null)}
        style={{
          borderColor: brush === null ? token.colorText : undefined,
          fontWeight: brush === null ? 600 : undefined,
        }}
      >
        Eraser
      </Button>
      <Popover
        open={adding}
        onOpenChange={setAdding}
        trigger="click"
        title="New period"
        content={
          <Flex gap={8}>
            <Input
              data-testid="palette-new-name"
              autoFocus
              placeholder="e.g. shoulder"
              value={name}
              status={taken ? "error" : undefined}
              onChange={(e) => setName(e.target.value)}
              onPressEnter={add}
              style={{ width: 180 }}
            />
            <Button
              data-testid="palette-new-add"
              type="primary"
              disabled={!trimmed || taken}
              onClick={add}
            >
              Add
            </Button>
          </Flex>
        }
      >
        <Button data-testid="palette-add" type="dashed" icon={<PlusOutlined />}>
          Period
        </Button>
      </Popover>
    </Flex>
  );
}
