/**
 * The metering tree of a site's devices, as pure functions: nesting the flat
 * device list (`parent_id`), what a drop on the tree means, and which devices
 * may be a device's parent. The server has the last word (it refuses cycles,
 * parents on other sites and sub-meters with no supply point above them);
 * these keep the UI from offering what cannot work.
 */

import type { DeviceRole } from "../types";

export type { DeviceRole };

/** What nesting needs of a device (the API's device, or a node of the tree answer). */
export type TreeDevice = {
  id: number;
  name: string;
  parent_id?: number | null;
  role?: DeviceRole | null;
};

export type DeviceTreeNode<T extends TreeDevice> = {
  device: T;
  depth: number;
  children: DeviceTreeNode<T>[];
};

export const ROLE_LABELS: Record<DeviceRole, string> = {
  supply: "Supply point",
  generation: "Generation",
  submeter: "Sub-meter",
};

export const ROLE_OPTIONS = (["supply", "generation", "submeter"] as const).map((role) => ({
  value: role,
  label: ROLE_LABELS[role],
}));

const byName = (a: TreeDevice, b: TreeDevice) => a.name.localeCompare(b.name) || a.id - b.id;

/**
 * Nest the devices under their parents, siblings by name. A device whose
 * parent is not in the list, or that sits in a loop, becomes a root, so every
 * device is shown exactly once whatever the data.
 */
export function buildDeviceTree<T extends TreeDevice>(devices: readonly T[]): DeviceTreeNode<T>[] {
  const ids = new Set(devices.map((d) => d.id));
  const parentOf = new Map<number, number | null>();
  for (const d of devices) {
    const parent = d.parent_id ?? null;
    parentOf.set(d.id, parent !== null && ids.has(parent) && parent !== d.id ? parent : null);
  }
  // Break loops: walk up from each device; a walk that comes back makes it a root.
  for (const d of devices) {
    const seen = new Set<number>([d.id]);
    let up = parentOf.get(d.id) ?? null;
    while (up !== null) {
      if (seen.has(up)) {
        parentOf.set(d.id, null);
        break;
      }
      seen.add(up);
      up = parentOf.get(up) ?? null;
    }
  }
  const childrenOf = new Map<number | null, T[]>();
  for (const d of devices) {
    const parent = parentOf.get(d.id) ?? null;
    childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), d]);
  }
  const grow = (parent: number | null, depth: number): DeviceTreeNode<T>[] =>
    [...(childrenOf.get(parent) ?? [])]
      .sort(byName)
      .map((device) => ({ device, depth, children: grow(device.id, depth + 1) }));
  return grow(null, 0);
}

/** Every device of the tree, parents before their children (depth first). */
export function flattenTree<T extends TreeDevice>(nodes: readonly DeviceTreeNode<T>[]): T[] {
  return nodes.flatMap((node) => [node.device, ...flattenTree(node.children)]);
}

/** The ids of the devices below `id` (children, their children…), not `id` itself. */
export function descendantIds(devices: readonly TreeDevice[], id: number): Set<number> {
  const below = new Set<number>();
  let frontier = [id];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const d of devices) {
      const parent = d.parent_id ?? null;
      if (parent !== null && frontier.includes(parent) && !below.has(d.id) && d.id !== id) {
        below.add(d.id);
        next.push(d.id);
      }
    }
    frontier = next;
  }
  return below;
}

/** What the tree reports on a drop: the node dropped on, and whether it went into a gap. */
export type TreeDrop = { targetId: number; dropToGap: boolean };

/**
 * The new parent of a dragged device: dropped onto a device, it goes under it;
 * dropped into the gap next to a device, it becomes that device's sibling
 * (the tree orders siblings by name, so only the level matters).
 */
export function parentAfterDrop(devices: readonly TreeDevice[], drop: TreeDrop): number | null {
  if (!drop.dropToGap) return drop.targetId;
  return devices.find((d) => d.id === drop.targetId)?.parent_id ?? null;
}

/**
 * Why a device cannot go under `parentId` whatever the roles, or `null` when it
 * may as far as the tree's shape goes (the server checks the rest: roles,
 * supply points above sub-meters, and says why).
 */
export function moveProblem(
  devices: readonly TreeDevice[],
  deviceId: number,
  parentId: number | null,
): string | null {
  const device = devices.find((d) => d.id === deviceId);
  if (!device) return "That device is not on this site.";
  if (parentId === null) return null;
  const parent = devices.find((d) => d.id === parentId);
  if (!parent) return "That parent is not on this site.";
  if (parentId === deviceId || descendantIds(devices, deviceId).has(parentId))
    return `${device.name} cannot go below itself.`;
  return null;
}

/** Options for a parent picker (antd TreeSelect): the tree, minus the device and what is below it. */
export type ParentOption = {
  value: number;
  title: string;
  disabled?: boolean;
  children?: ParentOption[];
};

export function parentOptions(devices: readonly TreeDevice[], forId?: number): ParentOption[] {
  const excluded =
    forId === undefined ? new Set<number>() : new Set([forId, ...descendantIds(devices, forId)]);
  const convert = (nodes: DeviceTreeNode<TreeDevice>[]): ParentOption[] =>
    nodes.map((node) => {
      const option: ParentOption = { value: node.device.id, title: node.device.name };
      if (excluded.has(node.device.id)) option.disabled = true;
      if (node.children.length > 0) option.children = convert(node.children);
      return option;
    });
  return convert(buildDeviceTree(devices));
}
