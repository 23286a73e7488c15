import { CalendarOutlined } from "@ant-design/icons";
import { DatePicker, Flex, Segmented, Select, TreeSelect } from "antd";
import dayjs from "dayjs";
import { useMemo } from "react";
import type { Device, Site } from "@/features/sites";
import type { VirtualMeter } from "@/features/virtual-meters";
import { addDays, dayBeforeMonth, PRESETS } from "../lib/date-range";
import type { PresetKey, RangeSelection } from "../lib/date-range";
import { pickerTree } from "../lib/picker";

export { ALL_DEVICES, VIRTUAL_PREFIX } from "../lib/picker";

type ScopePickersProps = {
  sites: Site[];
  site: Site;
  devices: Device[];
  virtualMeters: VirtualMeter[];
  device: string;
  onSite: (siteId: number) => void;
  onDevice: (device: string) => void;
};

/** Which site, and which of its meters (the site's total, a device, or a virtual meter). */
export function ScopePickers({
  sites,
  site,
  devices,
  virtualMeters,
  device,
  onSite,
  onDevice,
}: ScopePickersProps) {
  const treeData = useMemo(
    () => pickerTree(site, devices, virtualMeters),
    [site, devices, virtualMeters],
  );
  return (
    <Flex gap={8} wrap>
      <Select
        data-testid="site-picker"
        aria-label="Site"
        value={site.id}
        onChange={onSite}
        options={sites.map((s) => ({ value: s.id, label: s.name }))}
        style={{ width: 200 }}
        showSearch={{ optionFilterProp: "label" }}
      />
      <TreeSelect
        data-testid="device-picker"
        aria-label="Device"
        value={device}
        onChange={(value: string) => onDevice(value)}
        treeData={treeData}
        treeDefaultExpandAll
        showSearch
        treeNodeFilterProp="title"
        popupMatchSelectWidth={false}
        style={{ width: 220 }}
      />
    </Flex>
  );
}

type RangeControlsProps = {
  selection: RangeSelection;
  onPreset: (preset: PresetKey) => void;
  onCustom: (from: string, to: string) => void;
};

/** Preset ranges, or any range of days with the picker. */
export function RangeControls({ selection, onPreset, onCustom }: RangeControlsProps) {
  const lastDay = addDays(selection.range.end, -1);
  return (
    <Flex gap={12} wrap align="center" data-testid="range-controls">
      <Segmented<PresetKey | "custom">
        data-testid="range-preset"
        value={selection.preset}
        onChange={(value) => value !== "custom" && onPreset(value)}
        options={PRESETS.map((p) => ({ value: p.key, label: p.label }))}
      />
      <DatePicker.RangePicker
        data-testid="range-picker"
        allowClear={false}
        suffixIcon={<CalendarOutlined />}
        format={dayBeforeMonth() ? "D MMM YYYY" : "MMM D, YYYY"}
        value={[dayjs(selection.range.start), dayjs(lastDay)]}
        variant={selection.preset === "custom" ? "outlined" : "filled"}
        onChange={(dates) => {
          const [from, to] = dates ?? [];
          if (from && to) onCustom(from.format("YYYY-MM-DD"), to.format("YYYY-MM-DD"));
        }}
        style={{ width: 250 }}
      />
    </Flex>
  );
}
