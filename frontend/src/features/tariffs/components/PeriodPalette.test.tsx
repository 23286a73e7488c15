import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { PeriodPalette } from "./PeriodPalette";

function Harness({ children }: { children?: React.ReactNode }) {
  const [names, setNames] = useState<string[]>([]);
  const [brush, setBrush] = useState<string | null>(null);
  return (
    <>
      <PeriodPalette
        names={names}
        brush={brush}
        onBrush={setBrush}
        onAdd={(name) => {
          setNames((n) => [...n, name]);
          setBrush(name);
        }}
      />
      {children}
    </>
  );
}

describe("PeriodPalette with the keyboard", { timeout: 20_000 }, () => {
  it("adds periods: Enter opens the field, Enter adds, the focus returns to the button", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    for (const name of ["peak", "off-peak"]) {
      await user.tab();
      while (document.activeElement !== screen.getByTestId("palette-add")) await user.tab();
      await user.keyboard("{Enter}");
      const field = await screen.findByTestId("palette-new-name");
      await expect.poll(() => document.activeElement).toBe(field);
      await expect.poll(() => (field as HTMLInputElement).value).toBe("");
      await user.keyboard(name);
      await user.keyboard("{Enter}");
      expect(await screen.findByTestId(`palette-${name}`)).toHaveAttribute("aria-pressed", "true");
      expect(screen.getByTestId("palette-add")).toHaveFocus();
    }
  });

  it("leaves the focus where the user took it before the popover finished closing", async () => {
    const user = userEvent.setup();
    render(
      <Harness>
        <button type="button" data-testid="grid-cell">
          cell
        </button>
      </Harness>,
    );
    await user.click(screen.getByTestId("palette-add"));
    const field = await screen.findByTestId("palette-new-name");
    await expect.poll(() => document.activeElement).toBe(field);
    await user.keyboard("shoulder{Enter}");
    expect(screen.getByTestId("palette-add")).toHaveFocus();
    // on to the grid at once, while the popover's closing animation runs
    screen.getByTestId("grid-cell").focus();
    const popover = field.closest(".ant-popover");
    // (its closing animation ends by a timer in jsdom: late on a busy machine)
    await expect
      .poll(() => popover?.classList.contains("ant-popover-hidden"), { timeout: 15_000 })
      .toBe(true);
    await new Promise((resolve) => requestAnimationFrame(resolve));
    expect(screen.getByTestId("grid-cell")).toHaveFocus();
  });
});
