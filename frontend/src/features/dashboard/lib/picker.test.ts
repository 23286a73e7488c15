import { describe, expect, it } from "vitest";
import type { Device } from "@/features/sites";
import { pickerTree } from "./picker";

const device = (id: number, name: string, parent_id: number | null = null): Device => ({
  id,
  site_id: 1,
  name,
  serial: `S-${id}`,
  model: null,
  role: "submeter",
  parent_id,
  created_at: "2026-01-01T00:00:00Z",
});

const devices = [device(1, "Incomer"), device(2, "Shop", 1), device(3, "Chiller", 2)];

describe("pickerTree", () => {
  it("offers the site's total, the devices as their tree, then the virtual meters", () => {
    const tree = pickerTree({ metering: "supply_points" }, devices, [
      { id: 4, name: "Building B" },
    ]);
    expect(tree).toEqual([
      { value: "all", title: "Site total (supply points)" },
      {
        value: "1",
        title: "Incomer",
        children: [{ value: "2", title: "Shop", children: [{ value: "3", title: "Chiller" }] }],
      },
      {
        value: "virtual-meters",
        title: "Virtual meters",
        selectable: false,
        children: [{ value: "vm:4", title: "Building B" }],
      },
    ]);
  });

  it("says all devices when the site has no supply point, and leaves out an empty group", () => {
    const tree = pickerTree({ metering: "all_devices" }, [device(1, "Only")], []);
    expect(tree).toEqual([
      { value: "all", title: "All devices" },
      { value: "1", title: "Only" },
    ]);
  });
});
