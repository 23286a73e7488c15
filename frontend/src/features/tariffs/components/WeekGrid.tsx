import { theme } from "antd";
import { memo, useEffect, useId, useMemo, useRef, useState } from "react";
import type { CSSProperties, FocusEvent, KeyboardEvent } from "react";
import { periodColor } from "@/lib/period-colors";
import { gridOf, SLOT_MINUTES, SLOTS_PER_DAY, timeOf } from "../lib/grid";
import {
  cellLabel,
  commandOf,
  DAY_NAMES,
  describePaint,
  describeSelection,
  inRect,
  paintSpan,
  rectOf,
  selectionAt,
} from "../lib/grid-keyboard";
import type { Cell, Rect, Selection } from "../lib/grid-keyboard";
import { cellTestId } from "../lib/problems";
import { DAY_LABELS, DAYS } from "../lib/types";
import type { Day, PeriodDraft } from "../lib/types";
import { VisuallyHidden } from "@/components/a11y/VisuallyHidden";

type WeekGridProps = {
  season: string;
  periods: readonly PeriodDraft[];
  /** Every period name of the version, for stable colours. */
  names: readonly string[];
  /** What a drag (or Space/Enter) paints: a period name, or null to erase. */
  brush: string | null;
  /** Cells the server's problems point at: "mon|06:00". */
  errorCells: ReadonlySet<string>;
  /**
   * Paint `[fromMinute, toMinute)` of `days`: with `name` when given (a number key, or
   * null to erase), else with the brush.
   */
  onPaint: (
    season: string,
    days: Day[],
    fromMinute: number,
    toMinute: number,
    name?: string | null,
  ) => void;
  readOnly?: boolean;
};

export const HATCH =
  "repeating-linear-gradient(135deg, rgba(255,255,255,0.0) 0 3px, rgba(0,0,0,0.35) 3px 5px)";

export const GRID_KEYS_HELP =
  "Arrow keys move, Shift with arrows selects a rectangle, Space or Enter paints it with " +
  "the chosen period, 1 to 9 paint it with that period of the palette, Delete erases it.";

const cellKey = (c: Cell) => `${c.day}-${c.slot}`;

/**
 * 7 days × 48 half-hours of one season, coloured by period. Press on a cell
 * and drag across days and hours to paint the rectangle with the brush; or,
 * an ARIA grid with one tab stop, move with the arrow keys, select with
 * Shift, and paint with Space/Enter or a period's number (lib/grid-keyboard).
 */
export const WeekGrid = memo(function WeekGrid({
  season,
  periods,
  names,
  brush,
  errorCells,
  onPaint,
  readOnly = false,
}: WeekGridProps) {
  const { token } = theme.useToken();
  const grid = useMemo(() => gridOf(periods, season), [periods, season]);
  const [drag, setDrag] = useState<{ anchor: Cell; current: Cell } | null>(null);
  // The keyboard's selection; its focus is the active cell (the grid's one tab stop).
  const [selection, setSelection] = useState<Selection>(() => selectionAt({ day: 0, slot: 0 }));
  const [focused, setFocused] = useState(false);
  const [status, setStatus] = useState("");
  const gridRef = useRef<HTMLDivElement>(null);
  const helpId = useId();
  const dragRef = useRef(drag);
  dragRef.current = drag;
  const paintRef = useRef(onPaint);
  paintRef.current = onPaint;
  const brushRef = useRef(brush);
  brushRef.current = brush;
  // The keys read the selection the previous key left, rendered or not yet (key repeat).
  const selectionRef = useRef(selection);
  selectionRef.current = selection;

  const dragging = drag !== null;

  // The drag ends wherever the button is released (also outside the grid).
  useEffect(() => {
    if (!dragging) return undefined;
    const finish = () => {
      const d = dragRef.current;
      setDrag(null);
      if (!d) return;
      const rect = rectOf({ anchor: d.anchor, focus: d.current });
      const { days, from, to } = paintSpan(rect);
      paintRef.current(season, days, from, to);
      setStatus(describePaint(rect, brushRef.current));
    };
    window.addEventListener("mouseup", finish);
    return () => window.removeEventListener("mouseup", finish);
  }, [dragging, season]);

  const hours: number[] = [];
  for (let h = 0; h < 24; h += 2) hours.push(h);
  const columns = `48px repeat(${SLOTS_PER_DAY}, minmax(9px, 1fr))`;
  const brushColor = brush === null ? token.colorFillSecondary : periodColor(brush, names);
  const selected: Rect | null = focused ? rectOf(selection) : null;
  const active = selection.focus;

  const focusCell = (cell: Cell) =>
    gridRef.current
      ?.querySelector<HTMLElement>(`[data-cell="${cellKey(cell)}"]`)
      ?.focus({ preventScroll: false });

  const paintSelection = (name: string | null | undefined) => {
    if (readOnly) return;
    const rect = rectOf(selectionRef.current);
    const { days, from, to } = paintSpan(rect);
    onPaint(season, days, from, to, name);
    setStatus(describePaint(rect, name === undefined ? brush : name));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    // Keys typed into something inside the grid other than a cell are not ours.
    if (!(e.target instanceof HTMLElement) || e.target.getAttribute("role") !== "gridcell") return;
    const command = commandOf(e, selectionRef.current);
    if (!command) return;
    e.preventDefault();
    switch (command.kind) {
      case "select":
        selectionRef.current = command.selection;
        setSelection(command.selection);
        focusCell(command.selection.focus);
        if (command.extended) setStatus(describeSelection(rectOf(command.selection)));
        break;
      case "paint-brush":
        paintSelection(undefined);
        break;
      case "paint-period": {
        const name = names[command.index];
        if (name !== undefined) paintSelection(name);
        break;
      }
      case "erase":
        paintSelection(null);
        break;
    }
  };

  const onBlur = (e: FocusEvent<HTMLDivElement>) => {
    if (!(e.relatedTarget instanceof Node) || !e.currentTarget.contains(e.relatedTarget)) {
      setFocused(false);
    }
  };

  return (
    <div style={{ position: "relative" }}>
      <VisuallyHidden id={helpId}>{GRID_KEYS_HELP}</VisuallyHidden>
      <VisuallyHidden role="status" aria-live="polite" data-testid={`week-grid-status-${season}`}>
        {status}
      </VisuallyHidden>
      <div
        ref={gridRef}
        data-testid={`week-grid-${season}`}
        role="grid"
        aria-label={`Week of season ${season}`}
        aria-describedby={helpId}
        aria-multiselectable={readOnly ? undefined : true}
        aria-readonly={readOnly || undefined}
        style={{ userSelect: "none", minWidth: 560 }}
        onKeyDown={onKeyDown}
        onFocus={() => setFocused(true)}
        onBlur={onBlur}
      >
        <div
          aria-hidden="true"
          style={{ display: "grid", gridTemplateColumns: columns, marginBottom: 2 }}
        >
          <span />
          {hours.map((h) => (
            <span
              key={h}
              style={{
                gridColumn: `span ${120 / SLOT_MINUTES}`,
                fontSize: 11,
                color: token.colorTextTertiary,
                borderInlineStart: `1px solid ${token.colorBorderSecondary}`,
                paddingInlineStart: 3,
                lineHeight: "16px",
              }}
            >
              {String(h).padStart(2, "0")}:00
            </span>
          ))}
        </div>
        {DAYS.map((day, d) => (
          <div
            key={day}
            role="row"
            style={{ display: "grid", gridTemplateColumns: columns, columnGap: 1, marginBottom: 1 }}
          >
            <span
              role="rowheader"
              aria-label={DAY_NAMES[day]}
              style={{
                fontSize: 12,
                fontWeight: 500,
                color: d >= 5 ? token.colorTextSecondary : token.colorText,
                lineHeight: "22px",
              }}
            >
              {DAY_LABELS[day]}
            </span>
            {grid[day].map((slot, s) => {
              const time = timeOf(s * SLOT_MINUTES);
              const error = errorCells.has(`${day}|${time}`);
              const previewing =
                drag !== null && inRect(rectOf({ anchor: drag.anchor, focus: drag.current }), d, s);
              const isSelected = selected !== null && inRect(selected, d, s);
              const isActive = active.day === d && active.slot === s;
              const ring = focused && isActive;
              const color = slot.name ? periodColor(slot.name, names) : undefined;
              const shadows = [
                // A white then a red ring, outside the cell: visible on every period colour.
                ...(error ? ["0 0 0 2px #fff", `0 0 0 4px ${token.colorError}`] : []),
                // The keyboard's selection: an inner ring in the primary colour.
                ...(isSelected && !previewing
                  ? ["inset 0 0 0 1px #fff", `inset 0 0 0 3px ${token.colorPrimary}`]
                  : []),
              ];
              const style: CSSProperties = {
                height: 22,
                borderRadius: 2,
                cursor: readOnly ? "default" : "crosshair",
                background: previewing ? brushColor : (color ?? token.colorFillQuaternary),
                backgroundImage: !previewing && slot.conflict ? HATCH : undefined,
                opacity: previewing ? 0.75 : 1,
                // The active cell's focus ring: dark, outside the cell, above its neighbours.
                outline: ring
                  ? `2px solid ${token.colorText}`
                  : slot.gap && !previewing && !error
                    ? `1px dashed ${token.colorBorder}`
                    : undefined,
                outlineOffset: ring ? 1 : -1,
                boxShadow: shadows.length ? shadows.join(", ") : undefined,
                position: "relative",
                zIndex: ring ? 3 : error ? 2 : undefined,
                marginInlineStart: s > 0 && s % (120 / SLOT_MINUTES) === 0 ? 1 : 0,
              };
              const label = slot.conflict
                ? "overlap"
                : slot.gap && !slot.name
                  ? "no period"
                  : `${slot.name}${slot.mixed ? " (partly)" : ""}`;
              const name = cellLabel(day, s, label);
              return (
                <div
                  key={s}
                  role="gridcell"
                  tabIndex={isActive ? 0 : -1}
                  aria-label={name}
                  aria-selected={readOnly ? undefined : isSelected}
                  data-cell={`${d}-${s}`}
                  data-selected={isSelected ? "true" : undefined}
                  data-active={isActive ? "true" : undefined}
                  data-testid={cellTestId(season, day, time)}
                  data-period={slot.name ?? ""}
                  data-conflict={slot.conflict ? "true" : undefined}
                  data-gap={slot.gap ? "true" : undefined}
                  data-error={error ? "true" : undefined}
                  className={error ? "grid-cell grid-cell-error" : "grid-cell"}
                  title={name}
                  style={style}
                  onMouseDown={(e) => {
                    if (readOnly || e.button !== 0) return;
                    e.preventDefault();
                    const p = { day: d, slot: s };
                    setDrag({ anchor: p, current: p });
                    // The keyboard carries on from the cell the mouse last pressed.
                    setSelection(selectionAt(p));
                  }}
                  onMouseEnter={() => {
                    if (dragRef.current)
                      setDrag({ anchor: dragRef.current.anchor, current: { day: d, slot: s } });
                  }}
                />
              );
            })}
          </div>
        ))}
      </div>
    </div>
  );
});
