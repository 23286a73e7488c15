"""The generated rollup SQL and the register bookkeeping."""

from __future__ import annotations

from power_portal.measurements.fields import REGISTER_FIELDS
from power_portal.measurements.models import FLEET, MONITORING
from power_portal.measurements.rollups import (
    ALL_REGISTERS,
    _build_rebuild_sql,
    _build_span_sql,
    registers_mask_of,
)


def test_mask_names_every_register_with_a_value() -> None:
    offset = 2
    row_a: tuple[object, ...] = (1, "t", *([None] * len(REGISTER_FIELDS)))
    row_b: list[object] = list(row_a)
    row_b[offset + 0] = 10.0  # energy_import_kwh
    row_c: list[object] = list(row_a)
    row_c[offset + 4] = 7.0  # apparent_energy_kvah
    assert registers_mask_of([row_a], offset) == 0
    assert registers_mask_of([row_a, tuple(row_b), tuple(row_c)], offset) == 0b10001
    assert registers_mask_of([tuple(row_c), tuple(row_b)], offset) == 0b10001


def test_only_sent_registers_are_scanned() -> None:
    sql = _build_rebuild_sql(0b00001)
    assert "energy_import_kwh IS NOT NULL" in sql
    assert "apparent_energy_kvah IS NOT NULL" not in sql
    none = _build_rebuild_sql(0)
    assert "WHERE false" in none
    every = _build_rebuild_sql(ALL_REGISTERS)
    assert all(f"m.{name} IS NOT NULL" in every for name in REGISTER_FIELDS)


def test_fleet_sql_is_keyed_by_customer_and_device() -> None:
    sql = _build_rebuild_sql(ALL_REGISTERS, FLEET)
    assert "fleet.power_measurements" in sql
    assert "monitoring." not in sql
    assert "m.customer_id = :customer_id AND m.device_id = :device_id" in sql
    span = _build_span_sql(FLEET)
    assert "customer_id = :customer_id AND device_id = :device_id" in span
    assert "fleet.power_measurements" in span
    assert "monitoring." not in span
    assert "ON CONFLICT (customer_id, device_id, bucket_start)" in sql
    assert "ON CONFLICT (device_id, bucket_start)" in _build_rebuild_sql(1, MONITORING)


def test_the_rebuild_takes_its_span_as_bound_values() -> None:
    """Constants, not a CTE: the planner (and TimescaleDB's chunk exclusion) sees the range."""
    sql = _build_rebuild_sql(ALL_REGISTERS)
    assert ":span_a" in sql
    assert ":span_b" in sql
    assert "span AS" not in sql
    assert ":lo" not in sql
    assert ":hi" not in sql
