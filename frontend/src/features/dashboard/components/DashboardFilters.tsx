import { CalendarOutlined } from "@ant-design/icons";
import { DatePicker, Flex, Segmented, Select } from "antd";
import dayjs from "dayjs";
import type { Device, Site } from "@/features/sites";
import { addDays, dayBeforeMonth, PRESETS } from "../lib/date-range";
import type { PresetKey, RangeSelection } from "../lib/date-range";

export const ALL_DEVICES = "all";

type ScopePickersProps = {
  sites: Site[];
  siteId: number;
  devices: Device[];
  device: string;
  onSite: (siteId: number) => void;
  onDevice: (device: string) => void;
};

/** Which site, and which of its devices ("All devices" = the site's totals). */
export function ScopePickers({
  sites,
  siteId,
  devices,
  device,
  onSite,
  onDevice,
}: ScopePickersProps) {
  return (
    <Flex gap={8} wrap>
      <Select
        data-testid="site-picker"
        aria-label="Site"
        value={siteId}
        onChange={onSite}
        options={sites.map((s) => ({ value: s.id, label: s.name }))}
        style={{ width: 200 }}
        showSearch={{ optionFilterProp: "label" }}
      />
      <Select
        data-testid="device-picker"
        aria-label="Device"
        value={device}
        onChange={onDevice}
        options={[
          { value: ALL_DEVICES, label: "All devices" },
          ...devices.map((d) => ({ value: String(d.id), label: d.name })),
        ]}
        style={{ width: 200 }}
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
