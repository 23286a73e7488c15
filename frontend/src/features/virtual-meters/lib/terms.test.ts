import { describe, expect, it } from "vitest";
import { formulaPreview, toApiTerms, toFormTerms } from "./terms";

describe("virtual meter terms", () => {
  it("round-trips the API's terms through the form", () => {
    const api = [
      { sign: 1, device_id: 1, meter_id: null },
      { sign: -1, device_id: null, meter_id: 4 },
    ];
    const form = toFormTerms(api);
    expect(form).toEqual([
      { sign: 1, target: "device:1" },
      { sign: -1, target: "meter:4" },
    ]);
    expect(toApiTerms(form)).toEqual([
      { sign: 1, device_id: 1 },
      { sign: -1, meter_id: 4 },
    ]);
  });

  it.each([[undefined], [""], ["device:"], ["tenant:3"]])(
    "leaves out a term whose choice is %j",
    (target) => {
      expect(toApiTerms([{ sign: 1, target }])).toEqual([]);
    },
  );

  it("previews the formula with minus signs", () => {
    const names = new Map([
      ["device:1", "Incomer"],
      ["device:2", "Building A"],
      ["meter:4", "Chillers"],
    ]);
    expect(
      formulaPreview(
        [
          { sign: 1, target: "device:1" },
          { sign: -1, target: "device:2" },
          { sign: -1, target: "meter:4" },
          { sign: 1 },
        ],
        names,
      ),
    ).toBe("Incomer − Building A − Chillers");
    expect(formulaPreview([{ sign: -1, target: "device:2" }], names)).toBe("−Building A");
    expect(formulaPreview([], names)).toBe("");
  });
});
