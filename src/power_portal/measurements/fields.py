"""The measurement fields of the ingest contract, in one place.

Instantaneous values are averaged, min'd and max'd in rollups; energy fields
are the meter's cumulative registers, turned into per-bucket deltas.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FieldKind(StrEnum):
    INSTANT = "instant"
    REGISTER = "register"


@dataclass(frozen=True)
class MeasurementField:
    name: str
    unit: str
    kind: FieldKind
    label: str


def _instant(name: str, unit: str, label: str) -> MeasurementField:
    return MeasurementField(name, unit, FieldKind.INSTANT, label)


def _register(name: str, unit: str, label: str) -> MeasurementField:
    return MeasurementField(name, unit, FieldKind.REGISTER, label)


FIELDS: tuple[MeasurementField, ...] = (
    _instant("voltage_l1_v", "V", "Voltage L1-N"),
    _instant("voltage_l2_v", "V", "Voltage L2-N"),
    _instant("voltage_l3_v", "V", "Voltage L3-N"),
    _instant("voltage_l12_v", "V", "Voltage L1-L2"),
    _instant("voltage_l23_v", "V", "Voltage L2-L3"),
    _instant("voltage_l31_v", "V", "Voltage L3-L1"),
    _instant("current_l1_a", "A", "Current L1"),
    _instant("current_l2_a", "A", "Current L2"),
    _instant("current_l3_a", "A", "Current L3"),
    _instant("current_n_a", "A", "Current N"),
    _instant("power_kw", "kW", "Active power"),
    _instant("power_l1_kw", "kW", "Active power L1"),
    _instant("power_l2_kw", "kW", "Active power L2"),
    _instant("power_l3_kw", "kW", "Active power L3"),
    _instant("reactive_power_kvar", "kvar", "Reactive power"),
    _instant("apparent_power_kva", "kVA", "Apparent power"),
    _instant("power_factor", "", "Power factor"),
    _instant("frequency_hz", "Hz", "Frequency"),
    _register("energy_import_kwh", "kWh", "Active energy import"),
    _register("energy_export_kwh", "kWh", "Active energy export"),
    _register("reactive_energy_import_kvarh", "kvarh", "Reactive energy import"),
    _register("reactive_energy_export_kvarh", "kvarh", "Reactive energy export"),
    _register("apparent_energy_kvah", "kVAh", "Apparent energy"),
)

FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
INSTANT_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.kind is FieldKind.INSTANT)
REGISTER_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.kind is FieldKind.REGISTER)
# Rolled up as avg/min/max per bucket (the series a chart can show).
SERIES_FIELDS: tuple[str, ...] = (
    "power_kw",
    "reactive_power_kvar",
    "apparent_power_kva",
    "voltage_l1_v",
    "voltage_l2_v",
    "voltage_l3_v",
    "current_l1_a",
    "current_l2_a",
    "current_l3_a",
    "power_factor",
    "frequency_hz",
)
