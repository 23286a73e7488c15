"""The generated rollup SQL and the register bookkeeping."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import cast

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.measurements.fields import REGISTER_FIELDS
from power_portal.measurements.models import FLEET, MONITORING
from power_portal.measurements.rollups import (
    ALL_REGISTERS,
    _build_daily_sql,
    _build_rebuild_sql,
    _build_span_sql,
    rebuild_around,
    rebuild_fleet_around,
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


@pytest.mark.parametrize("register", REGISTER_FIELDS)
def test_the_daily_rollup_sums_every_register_by_local_day(register: str) -> None:
    sql = _build_daily_sql()
    assert f"sum(r.{register}) AS {register}" in sql
    assert f"{register} = excluded.{register}" in sql
    assert "(r.bucket_start AT TIME ZONE spans.tz)::date AS day" in sql
    assert "JOIN app.sites s ON s.id = d.site_id" in sql
    assert "DELETE FROM monitoring.rollup_1d" in sql


class RecordingSession:
    """Records the statements and values a rebuild sends; answers the span query."""

    def __init__(self, span_a: datetime, span_b: datetime) -> None:
        self.span = SimpleNamespace(span_a=span_a, span_b=span_b)
        self.sent: list[tuple[str, dict[str, object]]] = []

    async def execute(self, statement: object, params: dict[str, object]) -> SimpleNamespace:
        self.sent.append((str(statement), params))
        return SimpleNamespace(one=lambda: self.span)


SPAN_A = datetime(2026, 6, 1, 21, 45, tzinfo=UTC)
SPAN_B = datetime(2026, 6, 2, 0, 15, tzinfo=UTC)


def test_a_monitoring_rebuild_recounts_the_days_of_its_span_in_the_same_session() -> None:
    session = RecordingSession(SPAN_A, SPAN_B)
    lo = datetime(2026, 6, 1, 22, tzinfo=UTC)
    asyncio.run(rebuild_around(cast(AsyncSession, session), 7, lo, lo))
    statements = [statement for statement, _ in session.sent]
    assert "monitoring.rollup_15m" in statements[1]
    assert "monitoring.rollup_1d" in statements[2]
    assert session.sent[2][1] == {"ids": [7], "lo": SPAN_A, "hi": SPAN_B}


def test_a_fleet_rebuild_leaves_the_daily_rollup_alone() -> None:
    session = RecordingSession(SPAN_A, SPAN_B)
    lo = datetime(2026, 6, 1, 22, tzinfo=UTC)
    asyncio.run(rebuild_fleet_around(cast(AsyncSession, session), 3, 7, lo, lo))
    assert len(session.sent) == 2
    assert not any("rollup_1d" in statement for statement, _ in session.sent)
