import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Flex, Input, InputNumber, Select, Switch, Typography } from "antd";
import type {
  DemandChargeDraft,
  FixedChargeDraft,
  ReactiveChargeDraft,
  VersionDraft,
} from "../lib/types";
import { Field, fieldId, ProblemText } from "./problems";

type ChargesProps = {
  v: number;
  version: VersionDraft;
  currency: string;
  names: readonly string[];
  onChange: (version: VersionDraft) => void;
};

/** Fixed charges per day or month. */
export function FixedChargesEditor({ v, version, currency, onChange }: ChargesProps) {
  const charges = version.fixed_charges;
  const update = (k: number, changes: Partial<FixedChargeDraft>) =>
    onChange({
      ...version,
      fixed_charges: charges.map((c, j) => (j === k ? { ...c, ...changes } : c)),
    });
  const at = (k: number, f: string) => `versions.${v}.fixed_charges.${k}.${f}`;
  return (
    <div data-testid="fixed-charges">
      {charges.length === 0 && (
        <Typography.Paragraph type="secondary">No fixed charges.</Typography.Paragraph>
      )}
      {charges.map((c, k) => (
        <Flex key={k} wrap gap={8} align="flex-start">
          <Field at={at(k, "name")}>
            <Input
              data-testid={`fixed-${k}-name`}
              aria-label="Name"
              placeholder="e.g. Service charge"
              value={c.name}
              onChange={(e) => update(k, { name: e.target.value })}
              style={{ width: 220 }}
            />
          </Field>
          <Field at={at(k, "amount")}>
            <InputNumber<number>
              data-testid={`fixed-${k}-amount`}
              aria-label="Amount"
              prefix={currency}
              min={0}
              step={0.01}
              value={c.amount}
              onChange={(value) => update(k, { amount: value })}
              style={{ width: 150 }}
            />
          </Field>
          <Field at={at(k, "per")}>
            <Select
              data-testid={`fixed-${k}-per`}
              aria-label="Per"
              value={c.per}
              onChange={(per) => update(k, { per })}
              options={[
                { value: "day", label: "per day" },
                { value: "month", label: "per month" },
              ]}
              style={{ width: 120 }}
            />
          </Field>
          <Button
            type="text"
            aria-label="Remove charge"
            data-testid={`fixed-${k}-remove`}
            icon={<DeleteOutlined />}
            onClick={() =>
              onChange({ ...version, fixed_charges: charges.filter((_, j) => j !== k) })
            }
          />
          <ProblemText at={`versions.${v}.fixed_charges.${k}`} />
        </Flex>
      ))}
      <ProblemText at={`versions.${v}.fixed_charges`} />
      <Button
        data-testid="add-fixed"
        type="dashed"
        size="small"
        icon={<PlusOutlined />}
        onClick={() =>
          onChange({
            ...version,
            fixed_charges: [...charges, { name: "", amount: null, per: "month" }],
          })
        }
      >
        Fixed charge
      </Button>
    </div>
  );
}

/**
 * Demand charges: the month's highest 30-minute demand in some periods (and optionally
 * a season).
 */
export function DemandChargesEditor({ v, version, currency, names, onChange }: ChargesProps) {
  const charges = version.demand_charges;
  const update = (k: number, changes: Partial<DemandChargeDraft>) =>
    onChange({
      ...version,
      demand_charges: charges.map((c, j) => (j === k ? { ...c, ...changes } : c)),
    });
  const at = (k: number, f: string) => `versions.${v}.demand_charges.${k}.${f}`;
  return (
    <div data-testid="demand-charges">
      {charges.length === 0 && (
        <Typography.Paragraph type="secondary">No demand charges.</Typography.Paragraph>
      )}
      {charges.map((c, k) => (
        <Flex key={k} wrap gap={8} align="flex-start">
          <Field at={at(k, "name")}>
            <Input
              data-testid={`demand-${k}-name`}
              aria-label="Name"
              placeholder="e.g. Network demand"
              value={c.name}
              onChange={(e) => update(k, { name: e.target.value })}
              style={{ width: 200 }}
            />
          </Field>
          <Field at={at(k, "rate")}>
            <InputNumber<number>
              data-testid={`demand-${k}-rate`}
              aria-label="Rate"
              prefix={currency}
              min={0}
              step={0.01}
              value={c.rate}
              onChange={(value) => update(k, { rate: value })}
              style={{ width: 140 }}
            />
          </Field>
          <Field at={at(k, "unit")}>
            <Select
              data-testid={`demand-${k}-unit`}
              aria-label="Unit"
              value={c.unit}
              onChange={(unit) => update(k, { unit })}
              options={[
                { value: "kVA", label: "per kVA" },
                { value: "kW", label: "per kW" },
              ]}
              style={{ width: 100 }}
            />
          </Field>
          <Field at={at(k, "periods")}>
            <Select
              data-testid={`demand-${k}-periods`}
              aria-label="Periods"
              mode="multiple"
              placeholder="in periods"
              value={c.periods}
              onChange={(periods: string[]) => update(k, { periods })}
              options={names.map((n) => ({ value: n, label: n }))}
              style={{ minWidth: 220 }}
            />
          </Field>
          <Field at={at(k, "season")}>
            <Select
              data-testid={`demand-${k}-season`}
              aria-label="Season"
              value={c.season ?? ""}
              onChange={(season: string) => update(k, { season: season || null })}
              options={[
                { value: "", label: "every season" },
                ...version.seasons.map((s) => ({ value: s.name, label: `${s.name} only` })),
              ]}
              style={{ width: 150 }}
            />
          </Field>
          <Button
            type="text"
            aria-label="Remove charge"
            data-testid={`demand-${k}-remove`}
            icon={<DeleteOutlined />}
            onClick={() =>
              onChange({ ...version, demand_charges: charges.filter((_, j) => j !== k) })
            }
          />
          <ProblemText at={`versions.${v}.demand_charges.${k}`} />
        </Flex>
      ))}
      <ProblemText at={`versions.${v}.demand_charges`} />
      <Button
        data-testid="add-demand"
        type="dashed"
        size="small"
        icon={<PlusOutlined />}
        onClick={() =>
          onChange({
            ...version,
            demand_charges: [
              ...charges,
              { name: "", rate: null, unit: "kVA", periods: names.slice(0, 1), season: null },
            ],
          })
        }
      >
        Demand charge
      </Button>
    </div>
  );
}

const DEFAULT_REACTIVE: ReactiveChargeDraft = {
  name: "Reactive energy",
  rate: null,
  free_share: 0.3,
};

/** Reactive energy above a free share of the month's kWh, per kvarh. */
export function ReactiveChargeEditor({ v, version, currency, onChange }: ChargesProps) {
  const charge = version.reactive_charge;
  const update = (changes: Partial<ReactiveChargeDraft>) =>
    charge && onChange({ ...version, reactive_charge: { ...charge, ...changes } });
  const at = (f: string) => `versions.${v}.reactive_charge.${f}`;
  return (
    <div data-testid="reactive-charge">
      <Flex gap={8} align="center" style={{ marginBottom: 12 }}>
        <Switch
          data-testid="reactive-toggle"
          aria-labelledby={`${fieldId(`versions.${v}.reactive_charge`)}-label`}
          checked={charge !== null}
          onChange={(on) =>
            onChange({ ...version, reactive_charge: on ? { ...DEFAULT_REACTIVE } : null })
          }
        />
        <Typography.Text id={`${fieldId(`versions.${v}.reactive_charge`)}-label`}>
          Charge reactive energy
        </Typography.Text>
      </Flex>
      {charge && (
        <Flex wrap gap={8} align="flex-start">
          <Field at={at("name")} label="Name">
            <Input
              data-testid="reactive-name"
              id={fieldId(at("name"))}
              value={charge.name}
              onChange={(e) => update({ name: e.target.value })}
              style={{ width: 200 }}
            />
          </Field>
          <Field at={at("rate")} label="Rate per kvarh">
            <InputNumber<number>
              data-testid="reactive-rate"
              id={fieldId(at("rate"))}
              prefix={currency}
              min={0}
              step={0.01}
              value={charge.rate}
              onChange={(value) => update({ rate: value })}
              style={{ width: 150 }}
            />
          </Field>
          <Field
            at={at("free_share")}
            label="Free kvarh per kWh"
            tooltip="Reactive energy up to this share of the month's kWh is free (0.3 = 30 %)"
          >
            <InputNumber<number>
              data-testid="reactive-free-share"
              id={fieldId(at("free_share"))}
              min={0}
              max={10}
              step={0.05}
              value={charge.free_share}
              onChange={(value) => update({ free_share: value })}
              style={{ width: 120 }}
            />
          </Field>
        </Flex>
      )}
      <ProblemText at={`versions.${v}.reactive_charge`} />
    </div>
  );
}
