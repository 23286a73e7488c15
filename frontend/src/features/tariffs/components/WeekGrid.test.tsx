import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { paint } from "../lib/grid";
import type { Day, PeriodDraft } from "../lib/types";
import { WeekGrid } from "./WeekGrid";

const NAMES = ["peak", "off-peak"] as const;
const noErrors = new Set<string>();

/** The grid over a periods list it paints, as the version editor does. */
function Harness({ brush, initial = [] }: { brush: string | null; initial?: PeriodDraft[] }) {
  const [periods, setPeriods] = useState<PeriodDraft[]>(initial);
  return (
    <>
      <button type="button">before</button>
      <WeekGrid
        season="all"
        periods={periods}
        names={NAMES}
        brush={brush}
        errorCells={noErrors}
        onPaint={(season: string, days: Day[], from: number, to: number, name?: string | null) =>
          setPeriods((current) =>
            paint(current, season, days, from, to, name === undefined ? brush : name),
          )
        }
      />
      <pre data-testid="periods">{JSON.stringify(periods)}</pre>
    </>
  );
}

const cell = (day: string, time: string) => screen.getByTestId(`cell-all-${day}-${time}`);

describe("WeekGrid with the keyboard", { timeout: 20_000 }, () => {
  it("is one tab stop, an ARIA grid of named cells", async () => {
    const user = userEvent.setup();
    render(<Harness brush="peak" />);
    const grid = screen.getByRole("grid", { name: "Week of season all" });
    expect(within(grid).getAllByRole("row")).toHaveLength(7);
    expect(within(grid).getAllByRole("gridcell")).toHaveLength(7 * 48);
    expect(grid.querySelectorAll('[tabindex="0"]')).toHaveLength(1);

    await user.tab();
    await user.tab();
    expect(cell("mon", "00:00")).toHaveFocus();
    expect(cell("mon", "00:00")).toHaveAccessibleName("Monday 00:00–00:30, no period");
    expect(grid).toHaveAccessibleDescription(/Arrow keys move/);
    await user.tab();
    expect(document.body).toHaveFocus(); // out of the grid in one step
  });

  it("moves, extends a rectangle with Shift, paints it with Space and announces it", async () => {
    const user = userEvent.setup();
    render(<Harness brush="peak" />);
    await user.tab();
    await user.tab();
    // to Monday 08:00: 16 half-hours to the right
    for (let i = 0; i < 16; i += 1) await user.keyboard("{ArrowRight}");
    expect(cell("mon", "08:00")).toHaveFocus();
    expect(cell("mon", "08:00")).toHaveAttribute("tabindex", "0");
    expect(cell("mon", "00:00")).toHaveAttribute("tabindex", "-1");

    // Monday–Friday 08:00–10:00
    await user.keyboard("{Shift>}{ArrowDown}{ArrowDown}{ArrowDown}{ArrowDown}{/Shift}");
    await user.keyboard("{Shift>}{ArrowRight}{ArrowRight}{ArrowRight}{/Shift}");
    expect(cell("fri", "09:30")).toHaveFocus();
    expect(cell("wed", "08:30")).toHaveAttribute("aria-selected", "true");
    expect(cell("sat", "08:30")).toHaveAttribute("aria-selected", "false");
    expect(screen.getByRole("status")).toHaveTextContent(
      "Selected Monday–Friday 08:00–10:00, 20 cells",
    );

    await user.keyboard(" ");
    expect(cell("tue", "09:30")).toHaveAttribute("data-period", "peak");
    expect(cell("tue", "09:30")).toHaveAccessibleName("Tuesday 09:30–10:00, peak");
    expect(cell("tue", "10:00")).toHaveAttribute("data-period", "");
    expect(cell("sat", "08:00")).toHaveAttribute("data-period", "");
    expect(screen.getByRole("status")).toHaveTextContent(
      "Peak applied to Monday–Friday 08:00–10:00",
    );
    expect(JSON.parse(screen.getByTestId("periods").textContent)).toEqual([
      {
        name: "peak",
        season: "all",
        days: ["mon", "tue", "wed", "thu", "fri"],
        start: "08:00",
        end: "10:00",
      },
    ]);
  });

  it("paints with a period's number, erases with Delete, jumps with Home/End", async () => {
    const user = userEvent.setup();
    render(<Harness brush="peak" />);
    await user.tab();
    await user.tab();
    // Saturday–Sunday, the whole day, as off-peak (key 2)
    await user.keyboard("{PageDown}{ArrowUp}{Shift>}{ArrowDown}{End}{/Shift}");
    expect(cell("sun", "23:30")).toHaveFocus();
    await user.keyboard("2");
    expect(cell("sat", "00:00")).toHaveAttribute("data-period", "off-peak");
    expect(cell("sun", "23:30")).toHaveAttribute("data-period", "off-peak");
    expect(screen.getByRole("status")).toHaveTextContent(
      "Off-peak applied to Saturday–Sunday 00:00–24:00",
    );

    // collapse onto Sunday 23:30, go to the start of the day and erase its first hour
    await user.keyboard("{Escape}{Home}{Shift>}{ArrowRight}{/Shift}{Delete}");
    expect(cell("sun", "00:00")).toHaveAttribute("data-period", "");
    expect(cell("sun", "00:30")).toHaveAttribute("data-period", "");
    expect(cell("sun", "01:00")).toHaveAttribute("data-period", "off-peak");
    expect(cell("sat", "00:00")).toHaveAttribute("data-period", "off-peak");
    expect(screen.getByRole("status")).toHaveTextContent("Erased Sunday 00:00–01:00");

    // Enter paints with the brush
    await user.keyboard("{Enter}");
    expect(cell("sun", "00:30")).toHaveAttribute("data-period", "peak");
  });

  it("paints nothing when read-only, but still moves", async () => {
    const user = userEvent.setup();
    render(
      <WeekGrid
        season="all"
        periods={[]}
        names={NAMES}
        brush="peak"
        errorCells={noErrors}
        onPaint={() => {
          throw new Error("painted a read-only grid");
        }}
        readOnly
      />,
    );
    await user.tab();
    await user.keyboard("{ArrowRight} 1{Delete}");
    expect(cell("mon", "00:30")).toHaveFocus();
  });
});
