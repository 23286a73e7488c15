import { ClearOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Flex, Input, Popover, theme, Typography } from "antd";
import { useEffect, useRef, useState } from "react";
import type { InputRef } from "antd";
import { focusLost } from "@/components/a11y/return-focus";
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
  const inputRef = useRef<InputRef>(null);
  const addRef = useRef<HTMLButtonElement>(null);
  const addingRef = useRef(adding);
  const returnFocusRef = useRef(false);
  // The field has the focus each time the popover opens (autoFocus: the first time only).
  useEffect(() => {
    addingRef.current = adding;
    if (adding) inputRef.current?.focus();
  }, [adding]);
  const trimmed = name.trim();
  const taken = names.includes(trimmed);

  const add = () => {
    if (!trimmed || taken) return;
    onAdd(trimmed);
    close();
  };

  // Closed with Enter (added) or Escape: the focus goes back to the "+ Period" button.
  function close() {
    addingRef.current = false;
    returnFocusRef.current = true;
    setName("");
    setAdding(false);
    addRef.current?.focus();
    // Closed before its opening animation ended (a fast typist), the popover may not call
    // afterOpenChange: once the field is gone, a focus left on nothing goes back too.
    requestAnimationFrame(returnFocusIfLost);
  }

  // A focus the closing popover left on nothing (or in itself) goes back to the button; a
  // focus the user has moved on since (the close animation can end seconds later on a busy
  // machine) stays where it is.
  function returnFocusIfLost() {
    if (focusLost(".ant-popover")) addRef.current?.focus();
  }

  return (
    <Flex wrap gap={8} align="center" data-testid="palette">
      <Typography.Text type="secondary" style={{ marginInlineEnd: 4 }}>
        Paint with
      </Typography.Text>
      {names.map((n, i) => {
        const selected = brush === n;
        const color = periodColor(n, names);
        return (
          <Button
            key={n}
            data-testid={`palette-${n}`}
            aria-pressed={selected}
            title={i < 9 ? `${n}: key ${i + 1} on the week grid` : undefined}
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
        onOpenChange={(open) => {
          addingRef.current = open;
          setAdding(open);
        }}
        // (again once it has opened, unless it was closed meanwhile: fast typists)
        afterOpenChange={(open) => {
          if (open && addingRef.current) inputRef.current?.focus();
          // and, once closed with Enter or Escape, back on the button if it was lost
          if (!open && returnFocusRef.current) returnFocusIfLost();
          if (!open) returnFocusRef.current = false;
        }}
        trigger="click"
        title="New period"
        content={
          <Flex gap={8}>
            <Input
              ref={inputRef}
              data-testid="palette-new-name"
              aria-label="New period name"
              autoFocus
              placeholder="e.g. shoulder"
              value={name}
              status={taken ? "error" : undefined}
              onChange={(e) => setName(e.target.value)}
              onKeyDown={(e) => {
                // Not the default: the key would go on to click the button the focus returns to.
                if (e.key === "Enter" || e.key === "Escape") e.preventDefault();
                if (e.key === "Enter") add();
                if (e.key === "Escape") close();
              }}
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
        <Button ref={addRef} data-testid="palette-add" type="dashed" icon={<PlusOutlined />}>
          Period
        </Button>
      </Popover>
    </Flex>
  );
}
