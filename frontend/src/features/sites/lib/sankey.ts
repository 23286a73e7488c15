/**
 * The flow of a site's energy for a Sankey diagram, from the tree answer
 * (`GET /api/sites/{id}/tree`): supply points (and generation) → their
 * sub-meters → … and, for every parent, its "Unmetered / losses" remainder.
 * Pure, so the chart and its table of flows show the same numbers.
 */
import type { DeviceRole } from "./tree";

/** What the flow needs of a node of the tree answer. */
export type EnergyNode = {
  id: number;
  name: string;
  role: DeviceRole;
  parent_id: number | null;
  energy_import_kwh: number | null;
  remainder_kwh: number | null;
};

export type FlowNodeKind = DeviceRole | "remainder";

export type FlowNode = {
  /** Unique within the diagram (device names may repeat): `device-<id>` or `remainder-<id>`. */
  key: string;
  label: string;
  kind: FlowNodeKind;
};

export type Flow = {
  source: string;
  target: string;
  sourceLabel: string;
  targetLabel: string;
  kwh: number;
};

export type SiteFlow = {
  nodes: FlowNode[];
  flows: Flow[];
  /** Parents whose children add up to more than they measured: not drawable as a flow. */
  negativeRemainders: { parentId: number; parentName: string; kwh: number }[];
};

export const REMAINDER_LABEL = "Unmetered / losses";

const deviceKey = (id: number) => `device-${id}`;
const remainderKey = (id: number) => `remainder-${id}`;

const positive = (kwh: number | null | undefined): kwh is number =>
  typeof kwh === "number" && Number.isFinite(kwh) && kwh > 0;

/**
 * One flow per parent → child with the child's import (a generation child flows
 * into its parent instead), one per parent → its remainder when positive.
 * Flows of nothing (no data, zero) are left out; so are devices without any flow.
 */
export function buildSiteFlow(nodes: readonly EnergyNode[]): SiteFlow {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const flows: Flow[] = [];
  const negativeRemainders: SiteFlow["negativeRemainders"] = [];
  const used = new Map<string, FlowNode>();
  const keep = (node: FlowNode) => {
    if (!used.has(node.key)) used.set(node.key, node);
    return node;
  };
  const asFlowNode = (n: EnergyNode): FlowNode => ({
    key: deviceKey(n.id),
    label: n.name,
    kind: n.role,
  });
  const link = (from: FlowNode, to: FlowNode, kwh: number) => {
    keep(from);
    keep(to);
    flows.push({
      source: from.key,
      target: to.key,
      sourceLabel: from.label,
      targetLabel: to.label,
      kwh,
    });
  };

  for (const node of nodes) {
    const parent = node.parent_id === null ? undefined : byId.get(node.parent_id);
    if (parent && positive(node.energy_import_kwh)) {
      if (node.role === "generation")
        link(asFlowNode(node), asFlowNode(parent), node.energy_import_kwh);
      else link(asFlowNode(parent), asFlowNode(node), node.energy_import_kwh);
    }
    if (node.remainder_kwh !== null) {
      if (positive(node.remainder_kwh)) {
        link(
          asFlowNode(node),
          {
            key: remainderKey(node.id),
            label: `${REMAINDER_LABEL} (${node.name})`,
            kind: "remainder",
          },
          node.remainder_kwh,
        );
      } else if (node.remainder_kwh < 0) {
        negativeRemainders.push({
          parentId: node.id,
          parentName: node.name,
          kwh: node.remainder_kwh,
        });
      }
    }
  }
  return { nodes: [...used.values()], flows, negativeRemainders };
}
