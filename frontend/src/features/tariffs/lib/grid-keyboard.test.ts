import { describe, expect, it } from "vitest";
import {
  cellLabel,
  commandOf,
  describePaint,
  describeSelection,
  inRect,
  moveCell,
  paintSpan,
  rectOf,
  selectionAt,
} from "./grid-keyboard";
import type { Cell, GridCommand, KeyInput, Selection } from "./grid-keyboard";

const c = (day: number, slot: number): Cell => ({ day, slot });
const sel = (anchor: Cell, focus: Cell): Selection => ({ anchor, focus });

describe("moveCell", () => {
  it.each<[string, Cell, KeyInput, Cell | null]>([
    ["right", c(0, 0), { key: "ArrowRight" }, c(0, 1)],
    ["left", c(2, 5), { key: "ArrowLeft" }, c(2, 4)],
    ["down", c(2, 5), { key: "ArrowDown" }, c(3, 5)],
    ["up", c(2, 5), { key: "ArrowUp" }, c(1, 5)],
    ["left at the start of the day stays", c(3, 0), { key: "ArrowLeft" }, c(3, 0)],
    ["right at the end of the day stays", c(3, 47), { key: "ArrowRight" }, c(3, 47)],
    ["up on Monday stays", c(0, 10), { key: "ArrowUp" }, c(0, 10)],
    ["down on Sunday stays", c(6, 10), { key: "ArrowDown" }, c(6, 10)],
    ["Home: the day's first half-hour", c(4, 30), { key: "Home" }, c(4, 0)],
    ["End: the day's last half-hour", c(4, 3), { key: "End" }, c(4, 47)],
    ["Ctrl+Home: Monday 00:00", c(4, 30), { key: "Home", ctrlKey: true }, c(0, 0)],
    ["Cmd+End: Sunday 23:30", c(1, 3), { key: "End", metaKey: true }, c(6, 47)],
    ["PageUp: Monday, same time", c(4, 30), { key: "PageUp" }, c(0, 30)],
    ["PageDown: Sunday, same time", c(1, 30), { key: "PageDown" }, c(6, 30)],
    ["not a navigation key", c(1, 1), { key: "x" }, null],
  ])("%s", (_, from, input, to) => {
    expect(moveCell(from, input)).toEqual(to);
  });

  it("clamps to a smaller grid", () => {
    expect(moveCell(c(1, 3), { key: "End" }, { days: 2, slots: 4 })).toEqual(c(1, 3));
    expect(moveCell(c(1, 2), { key: "ArrowDown" }, { days: 2, slots: 4 })).toEqual(c(1, 2));
  });
});

describe("commandOf", () => {
  const at = selectionAt(c(1, 16));
  const wide = sel(c(0, 16), c(4, 23));
  it.each<[string, KeyInput, Selection, GridCommand | null]>([
    [
      "an arrow moves and collapses the selection",
      { key: "ArrowRight" },
      wide,
      { kind: "select", selection: selectionAt(c(4, 24)), extended: false },
    ],
    [
      "Shift+arrow extends from the anchor",
      { key: "ArrowDown", shiftKey: true },
      at,
      { kind: "select", selection: sel(c(1, 16), c(2, 16)), extended: true },
    ],
    [
      "Shift+arrow back shrinks the rectangle",
      { key: "ArrowLeft", shiftKey: true },
      wide,
      { kind: "select", selection: sel(c(0, 16), c(4, 22)), extended: true },
    ],
    [
      "Shift+End extends to the end of the day",
      { key: "End", shiftKey: true },
      at,
      { kind: "select", selection: sel(c(1, 16), c(1, 47)), extended: true },
    ],
    [
      "Ctrl+A selects the week",
      { key: "a", ctrlKey: true },
      at,
      { kind: "select", selection: sel(c(0, 0), c(6, 47)), extended: true },
    ],
    [
      "Escape collapses onto the active cell",
      { key: "Escape" },
      wide,
      { kind: "select", selection: selectionAt(c(4, 23)), extended: false },
    ],
    ["Space paints with the brush", { key: " " }, wide, { kind: "paint-brush" }],
    ["Enter paints with the brush", { key: "Enter" }, wide, { kind: "paint-brush" }],
    ["1 paints with the first period", { key: "1" }, wide, { kind: "paint-period", index: 0 }],
    ["9 paints with the ninth period", { key: "9" }, wide, { kind: "paint-period", index: 8 }],
    ["Delete erases", { key: "Delete" }, wide, { kind: "erase" }],
    ["Backspace erases", { key: "Backspace" }, wide, { kind: "erase" }],
    ["0 does nothing", { key: "0" }, wide, null],
    ["Tab is left to the browser", { key: "Tab" }, wide, null],
    ["Ctrl+C is left to the browser", { key: "c", ctrlKey: true }, wide, null],
    ["Alt+arrow is left to the browser", { key: "ArrowLeft", altKey: true }, wide, null],
  ])("%s", (_, input, selection, command) => {
    expect(commandOf(input, selection)).toEqual(command);
  });
});

describe("rectangles", () => {
  it("are the same whichever corner the selection started from", () => {
    const rect = { dayLo: 0, dayHi: 4, slotLo: 16, slotHi: 23 };
    expect(rectOf(sel(c(0, 16), c(4, 23)))).toEqual(rect);
    expect(rectOf(sel(c(4, 23), c(0, 16)))).toEqual(rect);
    expect(rectOf(sel(c(0, 23), c(4, 16)))).toEqual(rect);
    expect(inRect(rect, 2, 20)).toBe(true);
    expect(inRect(rect, 5, 20)).toBe(false);
    expect(inRect(rect, 2, 24)).toBe(false);
  });

  it.each<[string, Selection, { days: string[]; from: number; to: number }]>([
    ["one cell", selectionAt(c(6, 36)), { days: ["sun"], from: 1080, to: 1110 }],
    [
      "weekdays 08:00–12:00",
      sel(c(4, 23), c(0, 16)),
      { days: ["mon", "tue", "wed", "thu", "fri"], from: 480, to: 720 },
    ],
    ["a whole day", sel(c(5, 0), c(5, 47)), { days: ["sat"], from: 0, to: 1440 }],
  ])("paint %s", (_, selection, span) => {
    expect(paintSpan(rectOf(selection))).toEqual(span);
  });

  it.each<[Selection, string | null, string]>([
    [sel(c(0, 16), c(4, 23)), "peak", "Peak applied to Monday–Friday 08:00–12:00"],
    [selectionAt(c(6, 47)), "off-peak", "Off-peak applied to Sunday 23:30–24:00"],
    [sel(c(5, 0), c(6, 1)), null, "Erased Saturday–Sunday 00:00–01:00"],
  ])("announces a paint", (selection, name, text) => {
    expect(describePaint(rectOf(selection), name)).toBe(text);
  });

  it("announces a selection with its size", () => {
    expect(describeSelection(rectOf(sel(c(0, 16), c(1, 17))))).toBe(
      "Selected Monday–Tuesday 08:00–09:00, 4 cells",
    );
    expect(describeSelection(rectOf(selectionAt(c(2, 0))))).toBe(
      "Selected Wednesday 00:00–00:30, 1 cell",
    );
  });

  it("names a cell by its day, time and period", () => {
    expect(cellLabel("mon", 16, "peak")).toBe("Monday 08:00–08:30, peak");
    expect(cellLabel("sun", 47, "no period")).toBe("Sunday 23:30–24:00, no period");
  });
});
