import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderWithProviders } from "@/test/utils";
import { aBill } from "../testing/fixtures";
import { BillTable } from "./BillTable";

describe("BillTable", () => {
  it("groups the lines by kind and shows subtotal, VAT and total with separators and 2 decimals", () => {
    renderWithProviders(<BillTable bill={aBill} />);
    const table = screen.getByTestId("bill-table");
    expect(within(table).getByTestId("bill-section-energy")).toHaveTextContent("Energy");
    expect(within(table).getByTestId("bill-section-demand")).toHaveTextContent("Demand");
    expect(within(table).getByTestId("bill-section-fixed")).toHaveTextContent("Fixed charges");
    expect(within(table).queryByTestId("bill-section-reactive")).not.toBeInTheDocument();
    expect(within(table).getByTestId("bill-section-row-energy")).toHaveTextContent("18,650.00");
    expect(within(table).getAllByTestId("bill-line-energy")).toHaveLength(3);
    const demand = within(table).getByTestId("bill-line-demand");
    expect(demand).toHaveTextContent("125.00 kVA");
    expect(demand).toHaveTextContent("45.00");
    expect(demand).toHaveTextContent("5,625.00");
    expect(within(table).getByTestId("bill-line-fixed")).toHaveTextContent("7 days");
    expect(screen.getByTestId("bill-subtotal")).toHaveTextContent("21,750.00");
    expect(screen.getByTestId("bill-vat")).toHaveTextContent("3,262.50");
    expect(table).toHaveTextContent("VAT (15%)");
    expect(screen.getByTestId("bill-total")).toHaveTextContent("25,012.50");
    expect(table).toHaveTextContent("Amount (ZAR)");
  });
});
