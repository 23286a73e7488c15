/** The nine kinds of rule: what each watches, and the parameters it takes (docs/api/alerts.md). */
import type { RuleKind } from "../types";

/** One parameter of a kind, as the form shows it (its name is also the form field's). */
export type ParamField =
  | {
      name: ParamName;
      type: "number";
      label: string;
      required?: boolean;
      min?: number;
      max?: number;
      step?: number;
      /** Only whole numbers (minutes, weeks). */
      integer?: boolean;
      /** After the input: "kVA", "%", "min". */
      suffix?: string;
      help?: string;
    }
  | {
      name: ParamName;
      type: "select";
      label: string;
      options: readonly { value: string; label: string }[];
      help?: string;
    }
  | { name: ParamName; type: "windows"; label: string; help?: string };

/** Every parameter name of every kind (no two kinds give one name different types). */
export const PARAM_NAMES = [
  "minutes",
  "unit",
  "threshold",
  "clear_below",
  "margin_percent",
  "clear_above",
  "over_minutes",
  "low_v",
  "high_v",
  "hysteresis_v",
  "threshold_percent",
  "clear_below_percent",
  "of",
  "percent",
  "weeks",
  "schedule",
  "threshold_kw",
  "clear_below_kw",
] as const;
export type ParamName = (typeof PARAM_NAMES)[number];

export type KindInfo = {
  label: string;
  /** One line: when it fires. */
  explanation: string;
  params: readonly ParamField[];
  /** Quiet hours are refused on offline and gap rules. */
  quietHours: boolean;
  /** A virtual meter has no readings or phases of its own: these need a site or a device. */
  virtualMeter: boolean;
};

export const KINDS: Record<RuleKind, KindInfo> = {
  offline: {
    label: "Offline",
    explanation: "No reading from a device (or no heartbeat from its gateway) for a while.",
    params: [
      {
        name: "minutes",
        type: "number",
        label: "Silent for",
        required: true,
        min: 5,
        max: 10080,
        integer: true,
        suffix: "min",
      },
    ],
    quietHours: false,
    virtualMeter: false,
  },
  gap: {
    label: "Gap in the readings",
    explanation:
      "A stretch without readings between two stored readings; a replay that fills it resolves it.",
    params: [
      {
        name: "minutes",
        type: "number",
        label: "Gap of at least",
        required: true,
        min: 1,
        max: 10080,
        integer: true,
        suffix: "min",
        help: "At least the meter's interval.",
      },
    ],
    quietHours: false,
    virtualMeter: false,
  },
  demand_above: {
    label: "Demand above",
    explanation: "The rolling 30-minute demand is above the threshold.",
    params: [
      {
        name: "unit",
        type: "select",
        label: "Unit",
        options: [
          { value: "auto", label: "As the site's tariff bills demand" },
          { value: "kva", label: "kVA" },
          { value: "kw", label: "kW" },
        ],
      },
      { name: "threshold", type: "number", label: "Threshold", required: true, min: 0 },
      {
        name: "clear_below",
        type: "number",
        label: "Clears below",
        min: 0,
        help: "Empty: the threshold.",
      },
    ],
    quietHours: true,
    virtualMeter: true,
  },
  peak_exceeding: {
    label: "Peak about to be exceeded",
    explanation:
      "In a demand-charge period, the 30-minute demand is within a margin of this month's billed peak, or above it.",
    params: [
      {
        name: "margin_percent",
        type: "number",
        label: "Margin",
        min: 0,
        max: 50,
        suffix: "%",
      },
    ],
    quietHours: true,
    virtualMeter: true,
  },
  power_factor_below: {
    label: "Power factor below",
    explanation: "The average power factor over a span is below the threshold.",
    params: [
      {
        name: "threshold",
        type: "number",
        label: "Threshold",
        required: true,
        min: 0,
        max: 1,
        step: 0.01,
      },
      {
        name: "clear_above",
        type: "number",
        label: "Clears above",
        min: 0,
        max: 1,
        step: 0.01,
        help: "Empty: the threshold.",
      },
      {
        name: "over_minutes",
        type: "number",
        label: "Averaged over",
        min: 15,
        max: 1440,
        integer: true,
        suffix: "min",
      },
    ],
    quietHours: true,
    virtualMeter: false,
  },
  voltage_band: {
    label: "Voltage out of band",
    explanation: "Any phase's 15-minute average voltage is outside the band.",
    params: [
      { name: "low_v", type: "number", label: "Low", required: true, min: 0, suffix: "V" },
      { name: "high_v", type: "number", label: "High", required: true, min: 0, suffix: "V" },
      { name: "hysteresis_v", type: "number", label: "Hysteresis", min: 0, suffix: "V" },
    ],
    quietHours: true,
    virtualMeter: false,
  },
  phase_unbalance: {
    label: "Phase unbalance",
    explanation: "The phases' largest deviation from their mean is above a percentage of it.",
    params: [
      {
        name: "of",
        type: "select",
        label: "Of",
        options: [
          { value: "voltage", label: "Voltage" },
          { value: "current", label: "Current" },
        ],
      },
      {
        name: "threshold_percent",
        type: "number",
        label: "Threshold",
        required: true,
        min: 0,
        max: 100,
        suffix: "%",
      },
      {
        name: "clear_below_percent",
        type: "number",
        label: "Clears below",
        min: 0,
        max: 100,
        suffix: "%",
        help: "Empty: the threshold.",
      },
    ],
    quietHours: true,
    virtualMeter: false,
  },
  daily_energy_above_baseline: {
    label: "Daily energy above baseline",
    explanation:
      "A completed day's import is above the median of the same weekday over the previous weeks.",
    params: [
      {
        name: "percent",
        type: "number",
        label: "Above the baseline by",
        min: 0,
        max: 1000,
        suffix: "%",
      },
      {
        name: "weeks",
        type: "number",
        label: "Baseline of",
        min: 2,
        max: 8,
        integer: true,
        suffix: "weeks",
      },
    ],
    quietHours: true,
    virtualMeter: true,
  },
  out_of_hours_load: {
    label: "Load out of hours",
    explanation: "Outside the working hours, the 15-minute average power is above the threshold.",
    params: [
      {
        name: "schedule",
        type: "windows",
        label: "Working hours",
        help: "Weekly windows in the site's local time; the rule watches the hours outside them.",
      },
      {
        name: "threshold_kw",
        type: "number",
        label: "Threshold",
        required: true,
        min: 0,
        suffix: "kW",
      },
      {
        name: "clear_below_kw",
        type: "number",
        label: "Clears below",
        min: 0,
        suffix: "kW",
        help: "Empty: the threshold.",
      },
    ],
    quietHours: true,
    virtualMeter: true,
  },
};

export const RULE_KINDS = Object.keys(KINDS) as RuleKind[];

/** The defaults the API applies, so a new rule starts with them filled in. */
export const PARAM_DEFAULTS = {
  minutes: 60,
  unit: "auto",
  margin_percent: 5,
  over_minutes: 60,
  hysteresis_v: 2,
  of: "voltage",
  percent: 30,
  weeks: 4,
} as const;
