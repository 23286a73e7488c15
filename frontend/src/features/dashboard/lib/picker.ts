/** The dashboard's meter picker: what it offers, as a tree (pure, for tests). */
import { buildDeviceTree } from "@/features/sites";
import type { Device, DeviceTreeNode, Site } from "@/features/sites";
import type { VirtualMeter } from "@/features/virtual-meters";

export const ALL_DEVICES = "all";
/** A virtual meter's value in the picker (and the URL): `vm:<id>`; a device's is its id. */
export const VIRTUAL_PREFIX = "vm:";

export type PickerNode = {
  value: string;
  title: string;
  selectable?: boolean;
  children?: PickerNode[];
};

/**
 * The device picker's choices: the site's total, its devices as the metering
 * tree (parents above their sub-meters), then its virtual meters.
 */
export function pickerTree(
  site: Pick<Site, "metering">,
  devices: Device[],
  virtualMeters: Pick<VirtualMeter, "id" | "name">[],
): PickerNode[] {
  const convert = (nodes: DeviceTreeNode<Device>[]): PickerNode[] =>
    nodes.map(({ device, children }) => ({
      value: String(device.id),
      title: device.name,
      ...(children.length > 0 ? { children: convert(children) } : {}),
    }));
  const nodes: PickerNode[] = [
    {
      value: ALL_DEVICES,
      title: site.metering === "supply_points" ? "Site total (supply points)" : "All devices",
    },
    ...convert(buildDeviceTree(devices)),
  ];
  if (virtualMeters.length > 0) {
    nodes.push({
      value: "virtual-meters",
      title: "Virtual meters",
      selectable: false,
      children: virtualMeters.map((m) => ({ value: `${VIRTUAL_PREFIX}${m.id}`, title: m.name })),
    });
  }
  return nodes;
}
