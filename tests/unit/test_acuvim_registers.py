"""The Acuvim II register map: known byte patterns, round trips, our units."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from power_portal.collector.registers import (
    ENERGY_COUNT,
    ENERGY_REGISTERS,
    ENERGY_START,
    FLOAT_REGISTERS,
    READ_BLOCKS,
    REALTIME_COUNT,
    REALTIME_START,
    MeterSnapshot,
    RegisterValueError,
    decode_float32,
    decode_reading,
    decode_uint32,
    encode_float32,
    encode_int32,
    encode_uint32,
    shortest_float32,
    snapshot_registers,
    tenths_to_units,
    units_to_tenths,
)
from power_portal.measurements.fields import FIELD_NAMES

# The map as the issue states it (address -> ingest field).
EXPECTED_FLOATS = {
    0x4000: "frequency_hz",
    0x4002: "voltage_l1_v",
    0x4004: "voltage_l2_v",
    0x4006: "voltage_l3_v",
    0x400A: "voltage_l12_v",
    0x400C: "voltage_l23_v",
    0x400E: "voltage_l31_v",
    0x4012: "current_l1_a",
    0x4014: "current_l2_a",
    0x4016: "current_l3_a",
    0x401A: "current_n_a",
    0x401C: "power_l1_kw",
    0x401E: "power_l2_kw",
    0x4020: "power_l3_kw",
    0x4022: "power_kw",
    0x402A: "reactive_power_kvar",
    0x4032: "apparent_power_kva",
    0x403A: "power_factor",
}
EXPECTED_ENERGY = {
    0x4048: "energy_import_kwh",
    0x404A: "energy_export_kwh",
    0x404C: "reactive_energy_import_kvarh",
    0x404E: "reactive_energy_export_kvarh",
    0x4058: "apparent_energy_kvah",
}


def test_the_map_is_the_acuvim_ii_map() -> None:
    assert {r.address: r.field for r in FLOAT_REGISTERS} == EXPECTED_FLOATS
    assert {r.address: r.field for r in ENERGY_REGISTERS} == EXPECTED_ENERGY
    # two reads cover it: 0x4000-0x403B and 0x4048-0x4059
    assert READ_BLOCKS == ((0x4000, 60), (0x4048, 18))
    assert REALTIME_START + REALTIME_COUNT - 1 == 0x403B
    assert ENERGY_START + ENERGY_COUNT - 1 == 0x4059
    # every field we send is a field of the ingest contract
    assert set(EXPECTED_FLOATS.values()) | set(EXPECTED_ENERGY.values()) <= set(FIELD_NAMES)


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ((0x4366, 0x0000), 230.0),
        ((0x4248, 0x0000), 50.0),
        ((0x3F80, 0x0000), 1.0),
        ((0xBF80, 0x0000), -1.0),
        ((0x0000, 0x0000), 0.0),
        ((0x4640, 0xE400), 12345.0),
        ((0x3F6B, 0x851F), 0.92),  # a power factor: nearest float32 of 0.92
    ],
)
def test_known_float_patterns(words: tuple[int, int], value: float) -> None:
    assert shortest_float32(decode_float32(*words)) == value
    assert encode_float32(value) == words


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ((0x0000, 0x0000), 0),
        ((0x0000, 0x0001), 1),
        ((0x0001, 0x0000), 65536),
        ((0x0012, 0xD687), 1_234_567),  # 123456.7 kWh in tenths
        ((0x3B9A, 0xC9FF), 999_999_999),  # the meter's largest reading, 99 999 999.9 kWh
        ((0xFFFF, 0xFFFF), 0xFFFF_FFFF),
    ],
)
def test_known_uint32_patterns(words: tuple[int, int], value: int) -> None:
    assert decode_uint32(*words) == value
    assert encode_uint32(value) == words


def test_signed_energy_net_is_twos_complement() -> None:
    assert encode_int32(-1) == (0xFFFF, 0xFFFF)
    assert encode_int32(-65536) == (0xFFFF, 0x0000)
    assert encode_int32(5) == (0x0000, 0x0005)


def test_out_of_range_values_are_refused() -> None:
    with pytest.raises(RegisterValueError):
        encode_uint32(-1)
    with pytest.raises(RegisterValueError):
        encode_uint32(2**32)
    with pytest.raises(RegisterValueError):
        encode_int32(2**31)
    with pytest.raises(RegisterValueError):
        encode_float32(1e39)  # beyond float32
    with pytest.raises(RegisterValueError):
        decode_uint32(0x1_0000, 0)


def test_tenths_and_units() -> None:
    assert tenths_to_units(1_234_567) == 123456.7
    assert tenths_to_units(0) == 0.0
    assert units_to_tenths(123456.79) == 1_234_567  # completed tenths only
    assert units_to_tenths(0.3) == 3  # 0.3 * 10 is 2.9999999999999996 in binary
    assert units_to_tenths(10_000.0) == 100_000


@settings(max_examples=300, deadline=None)
@given(st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_float_round_trip(value: float) -> None:
    high, low = encode_float32(value)
    decoded = decode_float32(high, low)
    assert decoded == value
    shortest = shortest_float32(decoded)
    assert struct.pack(">f", shortest) == struct.pack(">f", value)
    assert float(f"{shortest:.9g}") == shortest  # at most 9 significant digits


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_uint32_round_trip(value: int) -> None:
    assert decode_uint32(*encode_uint32(value)) == value


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 999_999_999))
def test_energy_tenths_round_trip(tenths: int) -> None:
    assert units_to_tenths(tenths_to_units(tenths)) == tenths


def _snapshot(**changes: object) -> MeterSnapshot:
    values: dict[str, object] = {
        "frequency_hz": 50.01,
        "phase_voltages_v": (230.1, 231.4, 229.8),
        "line_voltages_v": (399.2, 400.1, 398.7),
        "currents_a": (120.5, 118.25, 121.0),
        "neutral_current_a": 3.5,
        "active_power_w": (26_000.0, 25_500.0, 26_250.0),
        "reactive_power_var": (9_000.0, 8_750.0, 9_100.0),
        "apparent_power_va": (27_513.6, 26_959.4, 27_782.7),
        "power_factors": (0.945, 0.946, 0.945),
        "power_factor_total": 0.945,
        "energy_import_tenths": 1_234_567,
        "energy_export_tenths": 42,
        "reactive_import_tenths": 370_000,
        "reactive_export_tenths": 0,
        "apparent_tenths": 1_300_000,
    }
    values.update(changes)
    return MeterSnapshot(**values)  # type: ignore[arg-type]


def test_a_reading_in_our_fields_and_units() -> None:
    realtime, energy = snapshot_registers(_snapshot())
    assert len(realtime) == REALTIME_COUNT
    assert len(energy) == ENERGY_COUNT
    decoded = decode_reading(realtime, energy)
    assert decoded.problems == ()
    assert decoded.values == {
        "frequency_hz": 50.01,
        "voltage_l1_v": 230.1,
        "voltage_l2_v": 231.4,
        "voltage_l3_v": 229.8,
        "voltage_l12_v": 399.2,
        "voltage_l23_v": 400.1,
        "voltage_l31_v": 398.7,
        "current_l1_a": 120.5,
        "current_l2_a": 118.25,
        "current_l3_a": 121.0,
        "current_n_a": 3.5,
        "power_l1_kw": 26.0,  # W -> kW
        "power_l2_kw": 25.5,
        "power_l3_kw": 26.25,
        "power_kw": 77.75,
        "reactive_power_kvar": 26.85,  # var -> kvar
        "apparent_power_kva": 82.2557,  # VA -> kVA (27513.6 + 26959.4 + 27782.7)
        "power_factor": 0.945,
        "energy_import_kwh": 123456.7,  # tenths of kWh -> kWh
        "energy_export_kwh": 4.2,
        "reactive_energy_import_kvarh": 37000.0,
        "reactive_energy_export_kvarh": 0.0,
        "apparent_energy_kvah": 130000.0,
    }


def test_the_raw_registers_of_a_reading() -> None:
    realtime, energy = snapshot_registers(_snapshot())
    # frequency at 0x4000, Psum at 0x4022 (77 750 W), Ep_imp at 0x4048
    assert (realtime[0], realtime[1]) == encode_float32(50.01)
    assert decode_float32(realtime[0x22], realtime[0x23]) == 77_750.0
    assert (energy[0], energy[1]) == (0x0012, 0xD687)
    # Ep_net (0x4052) = import - export, signed
    assert decode_uint32(energy[0x0A], energy[0x0B]) == 1_234_567 - 42


def test_export_is_negative_power() -> None:
    realtime, energy = snapshot_registers(
        _snapshot(active_power_w=(-1000.0, -1500.0, -500.0), power_factor_total=-0.9)
    )
    values = decode_reading(realtime, energy).values
    assert values["power_kw"] == -3.0
    assert values["power_l2_kw"] == -1.5
    assert values["power_factor"] == -0.9


def test_non_finite_registers_are_left_out_and_named() -> None:
    realtime, energy = snapshot_registers(_snapshot())
    realtime[0x02:0x04] = [0x7FC0, 0x0000]  # V1 = NaN
    realtime[0x22:0x24] = [0x7F80, 0x0000]  # Psum = +Inf
    decoded = decode_reading(realtime, energy)
    assert "voltage_l1_v" not in decoded.values
    assert "power_kw" not in decoded.values
    assert decoded.values["voltage_l2_v"] == 231.4
    described = [p.describe() for p in decoded.problems]
    assert described == [
        "register V1 (0x4002, voltage_l1_v): not a finite number (nan)",
        "register Psum (0x4022, power_kw): not a finite number (inf)",
    ]


def test_wrong_block_lengths_are_refused() -> None:
    realtime, energy = snapshot_registers(_snapshot())
    with pytest.raises(ValueError, match="real-time"):
        decode_reading(realtime[:-1], energy)
    with pytest.raises(ValueError, match="energy"):
        decode_reading(realtime, [*energy, 0])


@settings(max_examples=100, deadline=None)
@given(
    st.floats(-5e6, 5e6, width=32),
    st.integers(0, 999_999_999),
)
def test_power_and_energy_round_trip(psum_w: float, import_tenths: int) -> None:
    third = psum_w / 3
    snapshot = _snapshot(
        active_power_w=(third, third, psum_w - 2 * third), energy_import_tenths=import_tenths
    )
    values = decode_reading(*snapshot_registers(snapshot)).values
    assert math.isclose(values["power_kw"], psum_w / 1000, rel_tol=1e-6, abs_tol=1e-6)
    assert values["energy_import_kwh"] == import_tenths / 10
