import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { MAIN_CONTENT_ID, SkipLink } from "./SkipLink";

describe("SkipLink", () => {
  it("is reached first with Tab and moves the focus into the main landmark", async () => {
    const user = userEvent.setup();
    render(
      <>
        <SkipLink />
        <header>
          <button type="button">Menu</button>
        </header>
        <main id={MAIN_CONTENT_ID} tabIndex={-1}>
          content
        </main>
      </>,
    );
    await user.tab();
    const link = screen.getByRole("link", { name: "Skip to main content" });
    expect(link).toHaveFocus();
    expect(link).toHaveAttribute("href", `#${MAIN_CONTENT_ID}`);
    await user.keyboard("{Enter}");
    expect(screen.getByRole("main")).toHaveFocus();
    expect(window.location.hash).toBe("");
  });
});
