import { theme } from "antd";
import { memo, useEffect, useMemo, useRef, useState } from "react";
import type { CSSProperties } from "react";
import { periodColor } from "@/lib/period-colors";
import { gridOf, SLOT_MINUTES, SLOTS_PER_DAY, timeOf } from "../lib/grid";
import { cellTestId } from "../lib/problems";
import { DAY_LABELS, DAYS } from "../lib/types";
import type { Day, PeriodDraft } from "../lib/types";

type Point = { day: number; slot: number };

type WeekGridProps = {
  season: string;
  periods: readonly PeriodDraft[];
  /** Every period name of the version, for stable colours. */
  names: readonly string[];
  /** What a drag paints: a period name, or null to erase. */
  brush: string | null;
  /** Cells the server's problems point at: "mon|06:00". */
  errorCells: ReadonlySet<string>;
  onPaint: (season: string, days: Day[], fromMinute: number, toMinute: number) => void;
  readOnly?: boolean;
};

export const HATCH =
  "repeating-linear-gradient(135deg, rgba(255,255,255,0.0) 0 3px, rgba(0,0,0,0.35) 3px 5px)";

function inRect(a: Point, b: Point, day: number, slot: number): boolean {
  return (
    day >= Math.min(a.day, b.day) &&
    day <= Math.max(a.day, b.day) &&
    slot >= Math.min(a.slot, b.slot) &&
    slot <= Math.max(a.slot, b.slot)
  );
}

/**
 * 7 days × 48 half-hours of one season, coloured by period. Press on a cell
 * and drag across days and hours to paint the rectangle with the brush.
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
  const [drag, setDrag] = useState<{ anchor: Point; current: Point } | null>(null);
  const dragRef = useRef(drag);
  dragRef.current = drag;
  const paintRef = useRef(onPaint);
  paintRef.current = onPaint;

  const dragging = drag !== null;

  // The drag ends wherever the button is released (also outside the grid).
  useEffect(() => {
    if (!dragging) return undefined;
    const finish = () => {
      const d = dragRef.current;
      setDrag(null);
      if (!d) return;
      const days = DAYS.slice(
        Math.min(d.anchor.day, d.current.day),
        Math.max(d.anchor.day, d.current.day) + 1,
      );
      const from = Math.min(d.anchor.slot, d.current.slot) * SLOT_MINUTES;
      const to = (Math.max(d.anchor.slot, d.current.slot) + 1) * SLOT_MINUTES;
      paintRef.current(season, days, from, to);
    };
    window.addEventListener("mouseup", finish);
    return () => window.removeEventListener("mouseup", finish);
  }, [dragging, season]);

  const hours: number[] = [];
  for (let h = 0; h < 24; h += 2) hours.push(h);
  const columns = `48px repeat(${SLOTS_PER_DAY}, minmax(9px, 1fr))`;
  const brushColor = brush === null ? token.colorFillSecondary : periodColor(brush, names);

  return (
    <div
      data-testid={`week-grid-${season}`}
      role="grid"
      aria-label={`Week of season ${season}`}
      style={{ userSelect: "none", minWidth: 560 }}
    >
      <div style={{ display: "grid", gridTemplateColumns: columns, marginBottom: 2 }}>
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
            const previewing = drag !== null && inRect(drag.anchor, drag.current, d, s);
            const color = slot.name ? periodColor(slot.name, names) : undefined;
            const style: CSSProperties = {
              height: 22,
              borderRadius: 2,
              cursor: readOnly ? "default" : "crosshair",
              background: previewing ? brushColor : (color ?? token.colorFillQuaternary),
              backgroundImage: !previewing && slot.conflict ? HATCH : undefined,
              opacity: previewing ? 0.75 : 1,
              outline:
                slot.gap && !previewing && !error ? `1px dashed ${token.colorBorder}` : undefined,
              outlineOffset: -1,
              // A white then a red ring, outside the cell: visible on every period colour.
              boxShadow: error ? `0 0 0 2px #fff, 0 0 0 4px ${token.colorError}` : undefined,
              position: "relative",
              zIndex: error ? 2 : undefined,
              marginInlineStart: s > 0 && s % (120 / SLOT_MINUTES) === 0 ? 1 : 0,
            };
            const label = slot.conflict
              ? "overlap"
              : slot.gap && !slot.name
                ? "no period"
                : `${slot.name}${slot.mixed ? " (partly)" : ""}`;
            return (
              <div
                key={s}
                role="gridcell"
                data-testid={cellTestId(season, day, time)}
                data-period={slot.name ?? ""}
                data-conflict={slot.conflict ? "true" : undefined}
                data-gap={slot.gap ? "true" : undefined}
                data-error={error ? "true" : undefined}
                className={error ? "grid-cell grid-cell-error" : "grid-cell"}
                title={`${DAY_LABELS[day]} ${time}–${timeOf((s + 1) * SLOT_MINUTES)}: ${label}`}
                style={style}
                onMouseDown={(e) => {
                  if (readOnly || e.button !== 0) return;
                  e.preventDefault();
                  const p = { day: d, slot: s };
                  setDrag({ anchor: p, current: p });
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
  );
});
