import { describe, expect, it } from "vitest";
import { buildCsv, csvCell, csvFileName } from "./csv";

describe("buildCsv", () => {
  it("writes a header row and one line per row, CRLF-terminated", () => {
    const csv = buildCsv({
      header: ["date", "import_kwh", "export_kwh"],
      rows: [
        ["2026-05-01", 1234.5, 0],
        ["2026-05-02", null, null],
      ],
    });
    expect(csv).toBe("date,import_kwh,export_kwh\r\n2026-05-01,1234.5,0\r\n2026-05-02,,\r\n");
  });

  it("keeps numbers plain: no thousands separators, no rounding", () => {
    expect(csvCell(1234567.891)).toBe("1234567.891");
    expect(csvCell(-0.5)).toBe("-0.5");
    expect(csvCell(Number.NaN)).toBe("");
  });

  it("writes a gap (null) as an empty cell, not zero", () => {
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell(0)).toBe("0");
  });

  it("quotes text with commas, quotes or line breaks", () => {
    expect(csvCell("Main incomer, DB1")).toBe('"Main incomer, DB1"');
    expect(csvCell('the "big" one')).toBe('"the ""big"" one"');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell("2026-05-01T10:00:00+02:00")).toBe("2026-05-01T10:00:00+02:00");
  });

  it("defuses text a spreadsheet would run as a formula", () => {
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell("=cmd|' /C calc'!A0")).toBe("'=cmd|' /C calc'!A0");
    expect(csvCell("+cmd|' /C calc'!A0")).toBe("'+cmd|' /C calc'!A0");
    expect(csvCell("@SUM(A1:A9)")).toBe("'@SUM(A1:A9)");
    expect(csvCell("\t=1+1")).toBe("'\t=1+1");
    expect(csvCell("-5")).toBe("-5");
  });
});

describe("csvFileName", () => {
  it("makes a safe lower-case name from its parts", () => {
    expect(csvFileName("Demo factory", "Main incomer", "power", "2026-05-01", "2026-05-08")).toBe(
      "demo-factory_main-incomer_power_2026-05-01_2026-05-08.csv",
    );
    expect(csvFileName("  ", "")).toBe("export.csv");
  });
});
