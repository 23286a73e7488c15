import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { renderWithProviders } from "@/test/utils";
import { ChartCard } from "./ChartCard";
import type { ChartCardProps } from "./ChartCard";

// jsdom has no canvas: a stand-in that shows what ChartCard hands the chart
vi.mock("./EChart", () => ({
  default: ({ label, describedBy }: { label: string; describedBy?: string }) => (
    <div role="img" aria-label={label} aria-describedby={describedBy} data-testid="echart" />
  ),
}));

const props: ChartCardProps = {
  title: "Energy per day",
  testId: "energy-chart",
  exportId: "energy",
  state: "ready",
  points: 2,
  option: { series: [] },
  height: 200,
  csv: {
    header: ["date", "import_kwh"],
    rows: [
      ["2026-10-01", 120],
      ["2026-10-02", 80],
    ],
  },
  csvFileName: "energy.csv",
};

describe("ChartCard", () => {
  it("describes the chart in words: an image named by the title, described by the summary", async () => {
    renderWithProviders(<ChartCard {...props} />);
    const chart = await screen.findByRole("img", { name: "Energy per day (chart)" });
    expect(chart).toHaveAccessibleDescription(
      "Energy per day: 2 rows, 2026-10-01 to 2026-10-02. " +
        "import: total 200 kWh, highest 120 kWh on 2026-10-01, lowest 80 kWh on 2026-10-02.",
    );
  });

  it("shows the CSV's rows as a table, and the chart again", async () => {
    const user = userEvent.setup();
    renderWithProviders(<ChartCard {...props} />);
    const toggle = screen.getByRole("button", { name: /Show as table/ });
    expect(toggle).toHaveAttribute("aria-pressed", "false");
    await user.click(toggle);

    expect(toggle).toHaveAttribute("aria-pressed", "true");
    const table = screen.getByRole("table", { name: "Energy per day: the chart's data" });
    expect(
      within(table)
        .getAllByRole("columnheader")
        .map((th) => th.textContent),
    ).toEqual(["date", "import_kwh"]);
    const cells = within(table)
      .getAllByRole("row")
      .slice(1)
      .map((row) =>
        within(row)
          .getAllByRole("cell")
          .map((td) => td.textContent),
      );
    expect(cells).toEqual([
      ["2026-10-01", "120"],
      ["2026-10-02", "80"],
    ]);
    expect(screen.queryByTestId("echart")).not.toBeInTheDocument();

    await user.click(toggle);
    expect(await screen.findByTestId("echart")).toBeInTheDocument();
  });

  it("offers no table or summary without data", () => {
    renderWithProviders(<ChartCard {...props} state="empty" option={null} />);
    expect(screen.getByRole("button", { name: /Show as table/ })).toBeDisabled();
    expect(screen.queryByTestId("energy-chart-summary")).not.toBeInTheDocument();
  });

  it("names the chart by `label` when the title is not text", async () => {
    renderWithProviders(<ChartCard {...props} title={<span>kWh</span>} label="Daily energy" />);
    expect(await screen.findByRole("img", { name: "Daily energy (chart)" })).toBeInTheDocument();
  });
});
