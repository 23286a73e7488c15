import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ContrastNote } from "./ContrastNote";

describe("ContrastNote", () => {
  it("shows the ratios and changes nothing for a dark colour", () => {
    render(<ContrastNote primary="#0050b3" />);
    expect(screen.getByTestId("contrast-ok")).toHaveTextContent("Used as it is");
    expect(screen.queryByTestId("contrast-warning")).not.toBeInTheDocument();
    expect(screen.getByTestId("contrast-header")).toHaveTextContent(
      "Header: white text on #0050b3: 7.5:1, passes WCAG AA",
    );
    expect(screen.getByTestId("contrast-button")).toHaveTextContent(
      "Primary buttons: white text on #0050b3: 7.5:1, passes WCAG AA",
    );
    expect(screen.getByTestId("contrast-link")).toHaveTextContent("Links: #0050b3 on the page");
  });

  it.each([
    [
      "#1677ff",
      [
        "instead of #1677ff so its white text reads at",
        "instead of #1677ff so white text reads at",
        "instead of #1677ff so they read at",
      ],
    ],
    [
      "#ffff00",
      [
        "The header uses #747400 instead of #ffff00 so its white text reads at 4.9:1.",
        "Buttons keep #ffff00 with near-black text (17.1:1): white text would be too faint on it.",
      ],
    ],
    ["#ffffff", ["The header uses #6e6e6e instead of #ffffff", "Buttons keep #ffffff"]],
  ])("explains what the theme changed for %s", (primary, expected) => {
    render(<ContrastNote primary={primary} />);
    const changes = within(screen.getByTestId("contrast-warning")).getByTestId("contrast-changes");
    for (const text of expected) expect(changes).toHaveTextContent(text);
    // whatever it changed, every measured text passes
    for (const id of ["contrast-header", "contrast-button", "contrast-link"])
      expect(screen.getByTestId(id)).toHaveTextContent("passes WCAG AA");
  });

  it("measures against the dark theme when that is the default", () => {
    render(<ContrastNote primary="#0050b3" mode="dark" />);
    // as text on the dark page the blue is lightened
    expect(screen.getByTestId("contrast-warning")).toHaveTextContent(
      "Links and selected items use #",
    );
    expect(screen.getByTestId("contrast-link")).toHaveTextContent("passes WCAG AA");
  });

  it("shows nothing for a half-typed colour", () => {
    const { container } = render(<ContrastNote primary="#12" />);
    expect(container).toBeEmptyDOMElement();
  });
});
