import { describe, expect, it } from "vitest";
import {
  buildDeviceTree,
  descendantIds,
  flattenTree,
  moveProblem,
  parentAfterDrop,
  parentOptions,
} from "./tree";
import type { TreeDevice } from "./tree";

const d = (id: number, name: string, parent_id: number | null = null, role = "submeter") =>
  ({ id, name, parent_id, role }) as TreeDevice;

// Incomer ─┬─ Shop B ── Till
//          └─ Shop A
// Solar (root)
const site = [
  d(1, "Incomer", null, "supply"),
  d(2, "Shop B", 1),
  d(3, "Shop A", 1),
  d(4, "Till", 2),
  d(5, "Solar", null, "generation"),
];

const shape = (nodes: ReturnType<typeof buildDeviceTree>): unknown =>
  nodes.map((n) => [n.device.name, n.depth, shape(n.children)]);

describe("buildDeviceTree", () => {
  it("nests devices under their parents, siblings by name", () => {
    expect(shape(buildDeviceTree(site))).toEqual([
      [
        "Incomer",
        0,
        [
          ["Shop A", 1, []],
          ["Shop B", 1, [["Till", 2, []]]],
        ],
      ],
      ["Solar", 0, []],
    ]);
  });

  it("lists parents before their children", () => {
    expect(flattenTree(buildDeviceTree(site)).map((x) => x.id)).toEqual([1, 3, 2, 4, 5]);
  });

  it.each([
    ["a parent on another site", [d(1, "A", 99)], [["A", 0, []]]],
    ["itself as parent", [d(1, "A", 1)], [["A", 0, []]]],
    ["no parent field at all", [{ id: 1, name: "A" }], [["A", 0, []]]],
  ])("makes a device a root when it has %s", (_, devices, expected) => {
    expect(shape(buildDeviceTree(devices))).toEqual(expected);
  });

  it("shows every device of a loop exactly once", () => {
    const loop = [d(1, "A", 2), d(2, "B", 1), d(3, "C", 2)];
    const all = flattenTree(buildDeviceTree(loop)).map((x) => x.id);
    expect(all.sort()).toEqual([1, 2, 3]);
  });

  it("is empty for no devices", () => {
    expect(buildDeviceTree([])).toEqual([]);
  });
});

describe("descendantIds", () => {
  it.each([
    [1, [2, 3, 4]],
    [2, [4]],
    [4, []],
    [5, []],
  ])("below %i are %j", (id, expected) => {
    expect([...descendantIds(site, id)].sort()).toEqual(expected);
  });
});

describe("parentAfterDrop", () => {
  it.each([
    ["onto Shop A: under Shop A", { targetId: 3, dropToGap: false }, 3],
    ["next to Till: under Till's parent", { targetId: 4, dropToGap: true }, 2],
    ["next to a root: a root", { targetId: 5, dropToGap: true }, null],
    ["next to an unknown device: a root", { targetId: 42, dropToGap: true }, null],
  ])("dropped %s", (_, drop, expected) => {
    expect(parentAfterDrop(site, drop)).toBe(expected);
  });
});

describe("moveProblem", () => {
  it.each([
    ["Till under Shop A", 4, 3, null],
    ["Shop B to the root", 2, null, null],
    ["Incomer under Till (its own child's child)", 1, 4, "Incomer cannot go below itself."],
    ["Shop B under itself", 2, 2, "Shop B cannot go below itself."],
    ["a supply point under a meter (the server decides)", 1, 5, null],
    ["under a device of another site", 2, 99, "That parent is not on this site."],
  ])("%s", (_, deviceId, parentId, expected) => {
    expect(moveProblem(site, deviceId, parentId)).toBe(expected);
  });
});

describe("parentOptions", () => {
  it("offers the tree, the device itself and what is below it disabled", () => {
    const options = parentOptions(site, 2);
    expect(options.map((o) => o.title)).toEqual(["Incomer", "Solar"]);
    const incomer = options[0]!;
    expect(incomer.disabled).toBeUndefined();
    const shopB = incomer.children?.find((o) => o.value === 2);
    expect(shopB?.disabled).toBe(true);
    expect(shopB?.children?.[0]).toMatchObject({ value: 4, disabled: true });
    expect(incomer.children?.find((o) => o.value === 3)?.disabled).toBeUndefined();
  });

  it("disables nothing for a new device", () => {
    const flat = (os: ReturnType<typeof parentOptions>): boolean[] =>
      os.flatMap((o) => [Boolean(o.disabled), ...flat(o.children ?? [])]);
    expect(flat(parentOptions(site))).toEqual([false, false, false, false, false]);
  });
});
