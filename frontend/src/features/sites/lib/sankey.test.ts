import { describe, expect, it } from "vitest";
import { buildSiteFlow, REMAINDER_LABEL } from "./sankey";
import type { EnergyNode } from "./sankey";

const n = (
  id: number,
  name: string,
  parent_id: number | null,
  role: EnergyNode["role"],
  energy_import_kwh: number | null,
  remainder_kwh: number | null = null,
): EnergyNode => ({ id, name, role, parent_id, energy_import_kwh, remainder_kwh });

const flows = (nodes: EnergyNode[]) =>
  buildSiteFlow(nodes).flows.map((f) => [f.sourceLabel, f.targetLabel, f.kwh]);

describe("buildSiteFlow", () => {
  it("flows supply → sub-meters → the unmetered remainder of every parent", () => {
    const nodes = [
      n(1, "Incomer", null, "supply", 100, 20),
      n(2, "Shop A", 1, "submeter", 50, 10),
      n(4, "Till", 2, "submeter", 40),
      n(3, "Shop B", 1, "submeter", 30),
    ];
    expect(flows(nodes)).toEqual([
      ["Incomer", `${REMAINDER_LABEL} (Incomer)`, 20],
      ["Incomer", "Shop A", 50],
      ["Shop A", `${REMAINDER_LABEL} (Shop A)`, 10],
      ["Shop A", "Till", 40],
      ["Incomer", "Shop B", 30],
    ]);
    const kinds = buildSiteFlow(nodes).nodes.map((x) => [x.key, x.kind]);
    expect(kinds).toContainEqual(["remainder-1", "remainder"]);
    expect(kinds).toContainEqual(["device-1", "supply"]);
  });

  it("lets a generation child flow into its parent", () => {
    const nodes = [
      n(1, "Incomer", null, "supply", 100, 40),
      n(2, "Solar", 1, "generation", 25),
      n(3, "Plant", 1, "submeter", 85),
    ];
    expect(flows(nodes)).toEqual([
      ["Incomer", `${REMAINDER_LABEL} (Incomer)`, 40],
      ["Solar", "Incomer", 25],
      ["Incomer", "Plant", 85],
    ]);
  });

  it("draws no negative remainder but reports it", () => {
    const result = buildSiteFlow([
      n(5, "HVAC board", null, "supply", 120, -60),
      n(7, "Chiller 1", 5, "submeter", 180),
    ]);
    expect(result.flows.map((f) => f.kwh)).toEqual([180]);
    expect(result.negativeRemainders).toEqual([
      { parentId: 5, parentName: "HVAC board", kwh: -60 },
    ]);
  });

  it("leaves out flows of nothing and devices without any flow", () => {
    const result = buildSiteFlow([
      n(1, "Incomer", null, "supply", 10, 0),
      n(2, "Idle", 1, "submeter", 0),
      n(3, "Offline", 1, "submeter", null),
      n(4, "Lonely root", null, "submeter", 5),
    ]);
    expect(result.flows).toEqual([]);
    expect(result.nodes).toEqual([]);
  });

  it("keeps two devices of the same name apart", () => {
    const result = buildSiteFlow([
      n(1, "Pump", null, "supply", 10, 2),
      n(2, "Pump", 1, "submeter", 8),
    ]);
    expect(result.nodes.map((x) => x.key).sort()).toEqual(["device-1", "device-2", "remainder-1"]);
  });
});
