"""The Acuvim II register map and its decoding (pure: no I/O).

Holding registers, read with function 3. The real-time block at 0x4000 holds
32-bit IEEE 754 floats, big-endian, high word first (two registers each), in
SI units: Hz, V, A, W, var, VA. The energy block at 0x4048 holds 32-bit
integers, high word first, in tenths of kWh / kvarh / kVAh.

We read two blocks per reading (0x4000-0x403B and 0x4048-0x4059) and turn
them into the ingest contract's fields and units: W -> kW, var -> kvar,
VA -> kVA, tenths of kWh -> kWh.

A float is reported with the shortest decimal that is the same 32-bit float
(230.1, not 230.10000610351562): the meter measured 7 significant digits,
not 16.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from power_portal.measurements.fields import FIELD_NAMES

REALTIME_START = 0x4000
REALTIME_COUNT = 0x3C  # 0x4000-0x403B
ENERGY_START = 0x4048
ENERGY_COUNT = 0x12  # 0x4048-0x4059
# (first address, register count) of each read, in the order they are read
READ_BLOCKS: tuple[tuple[int, int], ...] = (
    (REALTIME_START, REALTIME_COUNT),
    (ENERGY_START, ENERGY_COUNT),
)
UINT32_MAX = 0xFFFF_FFFF
WORD_MAX = 0xFFFF
KILO = 1000.0
TENTHS_PER_UNIT = 10


@dataclass(frozen=True)
class FloatRegister:
    """A 32-bit float of the real-time block; ``field`` = raw value x ``scale``."""

    address: int
    name: str  # the meter's own name for it (manual), used in messages
    field: str  # the ingest field it becomes
    scale: float  # 1 (same unit) or 1/1000 (W -> kW, var -> kvar, VA -> kVA)


@dataclass(frozen=True)
class EnergyRegister:
    """A 32-bit unsigned integer of the energy block, in tenths of the field's unit."""

    address: int
    name: str
    field: str


FLOAT_REGISTERS: tuple[FloatRegister, ...] = (
    FloatRegister(0x4000, "F", "frequency_hz", 1.0),
    FloatRegister(0x4002, "V1", "voltage_l1_v", 1.0),
    FloatRegister(0x4004, "V2", "voltage_l2_v", 1.0),
    FloatRegister(0x4006, "V3", "voltage_l3_v", 1.0),
    FloatRegister(0x400A, "V12", "voltage_l12_v", 1.0),
    FloatRegister(0x400C, "V23", "voltage_l23_v", 1.0),
    FloatRegister(0x400E, "V31", "voltage_l31_v", 1.0),
    FloatRegister(0x4012, "I1", "current_l1_a", 1.0),
    FloatRegister(0x4014, "I2", "current_l2_a", 1.0),
    FloatRegister(0x4016, "I3", "current_l3_a", 1.0),
    FloatRegister(0x401A, "In", "current_n_a", 1.0),
    FloatRegister(0x401C, "Pa", "power_l1_kw", 1 / KILO),
    FloatRegister(0x401E, "Pb", "power_l2_kw", 1 / KILO),
    FloatRegister(0x4020, "Pc", "power_l3_kw", 1 / KILO),
    FloatRegister(0x4022, "Psum", "power_kw", 1 / KILO),
    FloatRegister(0x402A, "Qsum", "reactive_power_kvar", 1 / KILO),
    FloatRegister(0x4032, "Ssum", "apparent_power_kva", 1 / KILO),
    FloatRegister(0x403A, "PFsum", "power_factor", 1.0),
)

ENERGY_REGISTERS: tuple[EnergyRegister, ...] = (
    EnergyRegister(0x4048, "Ep_imp", "energy_import_kwh"),
    EnergyRegister(0x404A, "Ep_exp", "energy_export_kwh"),
    EnergyRegister(0x404C, "Eq_imp", "reactive_energy_import_kvarh"),
    EnergyRegister(0x404E, "Eq_exp", "reactive_energy_export_kvarh"),
    EnergyRegister(0x4058, "Es", "apparent_energy_kvah"),
)

# Further registers of the same blocks the simulator fills (the meter has them;
# we do not send them): averages, per-phase Q/S/PF, energy totals and nets.
EXTRA_FLOAT_ADDRESSES: Mapping[str, int] = {
    "Vavg": 0x4008,
    "Vllavg": 0x4010,
    "Iavg": 0x4018,
    "Qa": 0x4024,
    "Qb": 0x4026,
    "Qc": 0x4028,
    "Sa": 0x402C,
    "Sb": 0x402E,
    "Sc": 0x4030,
    "PFa": 0x4034,
    "PFb": 0x4036,
    "PFc": 0x4038,
}
EXTRA_ENERGY_ADDRESSES: Mapping[str, int] = {
    "Ep_total": 0x4050,
    "Ep_net": 0x4052,  # signed: import - export
    "Eq_total": 0x4054,
    "Eq_net": 0x4056,  # signed
}

assert {r.field for r in FLOAT_REGISTERS} | {r.field for r in ENERGY_REGISTERS} <= set(FIELD_NAMES)
assert all(
    r.address >= REALTIME_START and r.address + 2 <= REALTIME_START + REALTIME_COUNT
    for r in FLOAT_REGISTERS
)
assert all(
    r.address >= ENERGY_START and r.address + 2 <= ENERGY_START + ENERGY_COUNT
    for r in ENERGY_REGISTERS
)


class RegisterValueError(ValueError):
    """A register's value cannot be encoded (out of range)."""


# ---------------------------------------------------------------- words


def _check_word(word: int) -> None:
    if not 0 <= word <= WORD_MAX:
        raise RegisterValueError(f"a register holds 0..65535, not {word}")


def decode_float32(high: int, low: int) -> float:
    """Two registers (high word first) as a big-endian IEEE 754 float (may be NaN/Inf)."""
    _check_word(high)
    _check_word(low)
    value: float = struct.unpack(">f", struct.pack(">HH", high, low))[0]
    return value


def encode_float32(value: float) -> tuple[int, int]:
    """A float as two registers, high word first (rounded to the nearest 32-bit float)."""
    try:
        packed = struct.pack(">f", value)
    except OverflowError as exc:
        raise RegisterValueError(f"{value} does not fit a 32-bit float") from exc
    high, low = struct.unpack(">HH", packed)
    return int(high), int(low)


def decode_uint32(high: int, low: int) -> int:
    _check_word(high)
    _check_word(low)
    return (high << 16) | low


def encode_uint32(value: int) -> tuple[int, int]:
    if not 0 <= value <= UINT32_MAX:
        raise RegisterValueError(f"{value} does not fit an unsigned 32-bit register pair")
    return value >> 16, value & WORD_MAX


def encode_int32(value: int) -> tuple[int, int]:
    """A signed value as two registers (two's complement), high word first."""
    if not -(2**31) <= value < 2**31:
        raise RegisterValueError(f"{value} does not fit a signed 32-bit register pair")
    return encode_uint32(value & UINT32_MAX)


def shortest_float32(value: float) -> float:
    """The shortest decimal that is still the same 32-bit float as ``value``.

    ``value`` must already be a 32-bit float widened to 64 bits (what
    ``decode_float32`` returns); non-finite values come back unchanged.
    """
    if not math.isfinite(value):
        return value
    target = struct.pack(">f", value)
    for digits in range(6, 10):
        candidate = float(f"{value:.{digits}g}")
        if struct.pack(">f", candidate) == target:
            return candidate
    return value  # 9 significant digits always round-trip; not reached


def scale_value(raw: float, scale: float) -> float:
    """``raw`` in the meter's unit times ``scale``, without binary noise (0.1234567 not …001)."""
    if scale == 1.0:
        return raw
    return float(f"{raw * scale:.9g}")


# ---------------------------------------------------------------- readings


@dataclass(frozen=True)
class RegisterProblem:
    """A register whose value cannot be sent (NaN or infinite)."""

    address: int
    name: str
    field: str
    message: str

    def describe(self) -> str:
        return f"register {self.name} (0x{self.address:04X}, {self.field}): {self.message}"


@dataclass(frozen=True)
class DecodedReading:
    """Ingest fields (our units) from one poll; problem registers are left out."""

    values: dict[str, float]
    problems: tuple[RegisterProblem, ...] = ()


def _pair(block: Sequence[int], start: int, address: int) -> tuple[int, int]:
    offset = address - start
    return block[offset], block[offset + 1]


def _check_length(block: Sequence[int], expected: int, what: str) -> None:
    if len(block) != expected:
        raise ValueError(f"the {what} block has {len(block)} registers, expected {expected}")


def decode_reading(realtime: Sequence[int], energy: Sequence[int]) -> DecodedReading:
    """The two blocks (0x4000-0x403B, 0x4048-0x4059) as ingest fields in our units."""
    _check_length(realtime, REALTIME_COUNT, "real-time (0x4000)")
    _check_length(energy, ENERGY_COUNT, "energy (0x4048)")
    values: dict[str, float] = {}
    problems: list[RegisterProblem] = []
    for register in FLOAT_REGISTERS:
        raw = decode_float32(*_pair(realtime, REALTIME_START, register.address))
        if not math.isfinite(raw):
            problems.append(
                RegisterProblem(
                    register.address, register.name, register.field, f"not a finite number ({raw})"
                )
            )
            continue
        values[register.field] = scale_value(shortest_float32(raw), register.scale)
    for energy_register in ENERGY_REGISTERS:
        tenths = decode_uint32(*_pair(energy, ENERGY_START, energy_register.address))
        values[energy_register.field] = tenths_to_units(tenths)
    return DecodedReading(values, tuple(problems))


def tenths_to_units(tenths: int) -> float:
    """An energy register (tenths of kWh/kvarh/kVAh) in kWh/kvarh/kVAh."""
    return tenths / TENTHS_PER_UNIT


def units_to_tenths(units: float) -> int:
    """What a meter's register shows for ``units`` kWh: completed tenths (rounded down)."""
    return math.floor(units * TENTHS_PER_UNIT + 1e-9)


# ---------------------------------------------------------------- encoding (simulator)


@dataclass(frozen=True)
class MeterSnapshot:
    """What an Acuvim II measures at one instant, in the meter's units (SI, energy in tenths)."""

    frequency_hz: float
    phase_voltages_v: tuple[float, float, float]
    line_voltages_v: tuple[float, float, float]  # V12, V23, V31
    currents_a: tuple[float, float, float]
    neutral_current_a: float
    active_power_w: tuple[float, float, float]  # Pa, Pb, Pc
    reactive_power_var: tuple[float, float, float]
    apparent_power_va: tuple[float, float, float]
    power_factors: tuple[float, float, float]
    power_factor_total: float
    energy_import_tenths: int  # Ep_imp, tenths of kWh
    energy_export_tenths: int
    reactive_import_tenths: int  # Eq_imp, tenths of kvarh
    reactive_export_tenths: int
    apparent_tenths: int  # Es, tenths of kVAh


def snapshot_registers(snapshot: MeterSnapshot) -> tuple[list[int], list[int]]:
    """The real-time and energy blocks a meter in this state serves."""
    realtime = [0] * REALTIME_COUNT
    energy = [0] * ENERGY_COUNT

    def put_float(address: int, value: float) -> None:
        offset = address - REALTIME_START
        realtime[offset : offset + 2] = encode_float32(value)

    def put_energy(address: int, words: tuple[int, int]) -> None:
        offset = address - ENERGY_START
        energy[offset : offset + 2] = words

    s = snapshot
    floats: dict[str, float] = {
        "F": s.frequency_hz,
        "In": s.neutral_current_a,
        "Psum": sum(s.active_power_w),
        "Qsum": sum(s.reactive_power_var),
        "Ssum": sum(s.apparent_power_va),
        "PFsum": s.power_factor_total,
        "Vavg": sum(s.phase_voltages_v) / 3,
        "Vllavg": sum(s.line_voltages_v) / 3,
        "Iavg": sum(s.currents_a) / 3,
    }
    per_phase: dict[tuple[str, str, str], tuple[float, float, float]] = {
        ("V1", "V2", "V3"): s.phase_voltages_v,
        ("V12", "V23", "V31"): s.line_voltages_v,
        ("I1", "I2", "I3"): s.currents_a,
        ("Pa", "Pb", "Pc"): s.active_power_w,
        ("Qa", "Qb", "Qc"): s.reactive_power_var,
        ("Sa", "Sb", "Sc"): s.apparent_power_va,
        ("PFa", "PFb", "PFc"): s.power_factors,
    }
    for names, values in per_phase.items():
        floats |= dict(zip(names, values, strict=True))
    addresses = {r.name: r.address for r in FLOAT_REGISTERS} | dict(EXTRA_FLOAT_ADDRESSES)
    for name, value in floats.items():
        put_float(addresses[name], value)
    energies = {
        "Ep_imp": s.energy_import_tenths,
        "Ep_exp": s.energy_export_tenths,
        "Eq_imp": s.reactive_import_tenths,
        "Eq_exp": s.reactive_export_tenths,
        "Es": s.apparent_tenths,
    }
    for register in ENERGY_REGISTERS:
        put_energy(register.address, encode_uint32(energies[register.name]))
    extra_energies = {
        "Ep_total": encode_uint32(s.energy_import_tenths + s.energy_export_tenths),
        "Ep_net": encode_int32(s.energy_import_tenths - s.energy_export_tenths),
        "Eq_total": encode_uint32(s.reactive_import_tenths + s.reactive_export_tenths),
        "Eq_net": encode_int32(s.reactive_import_tenths - s.reactive_export_tenths),
    }
    for name, words in extra_energies.items():
        put_energy(EXTRA_ENERGY_ADDRESSES[name], words)
    return realtime, energy
