"""The TimescaleDB bootstrap's generated statements (no database: pure functions)."""

from __future__ import annotations

import pytest
from sqlalchemy import Table, UniqueConstraint

from power_portal import registry
from power_portal.db.timescale import (
    AVAILABLE_SQL,
    COMPRESSION_READY,
    FLEET_MEASUREMENTS,
    MONITORING_MEASUREMENTS,
    Hypertable,
    Plan,
    add_compression_policy_sql,
    bootstrap_statements,
    create_hypertable_sql,
    enable_compression_sql,
    parse_version,
    plan_for,
    remove_compression_policy_sql,
)
from power_portal.settings import RunMode, Settings, TimescaleMode

GUARDS = ("if_not_exists => true", "if_exists => true", "IF NOT EXISTS")


def _table(hypertable: Hypertable) -> Table:
    return registry.metadata.tables[hypertable.qualified]


def test_each_run_mode_has_its_plan() -> None:
    ready = {"compression_ready": True}
    assert plan_for(RunMode.STANDALONE, **ready) == Plan((MONITORING_MEASUREMENTS,), compress=True)
    assert plan_for(RunMode.ADMIN, **ready) == Plan((FLEET_MEASUREMENTS,), compress=True)
    # the push reads by storing transaction, which compressed chunks cannot index
    assert plan_for(RunMode.CLIENT, **ready) == Plan(
        (MONITORING_MEASUREMENTS,), compress=False, forbid_compression=True
    )


def test_compression_is_on_now_that_the_rebuild_binds_its_span() -> None:
    """The rebuild takes its span as bound values (rollups.span_sql), so compression is on."""
    from power_portal.measurements.rollups import ALL_REGISTERS, _build_rebuild_sql

    assert ":span_a" in _build_rebuild_sql(ALL_REGISTERS)
    assert COMPRESSION_READY is True
    assert plan_for(RunMode.STANDALONE) == Plan((MONITORING_MEASUREMENTS,), compress=True)
    assert plan_for(RunMode.ADMIN) == Plan((FLEET_MEASUREMENTS,), compress=True)
    assert plan_for(RunMode.CLIENT).compress is False


def test_hypertable_statement() -> None:
    sql = create_hypertable_sql(MONITORING_MEASUREMENTS)
    assert sql == (
        "SELECT create_hypertable('monitoring.power_measurements', "
        "by_range('time', INTERVAL '7 days'), "
        "create_default_indexes => false, if_not_exists => true, migrate_data => true)"
    )


def test_compression_is_segmented_by_series_and_ordered_by_time_desc() -> None:
    monitoring = enable_compression_sql(MONITORING_MEASUREMENTS)
    assert "ALTER TABLE monitoring.power_measurements SET (" in monitoring
    assert "timescaledb.compress_segmentby = 'device_id'" in monitoring
    assert "timescaledb.compress_orderby = 'time DESC'" in monitoring
    fleet = enable_compression_sql(FLEET_MEASUREMENTS)
    assert "ALTER TABLE fleet.power_measurements SET (" in fleet
    assert "timescaledb.compress_segmentby = 'customer_id, device_id'" in fleet
    # guarded: only while compression is not enabled yet (re-setting it could fail
    # once chunks are compressed)
    for sql in (monitoring, fleet):
        assert sql.startswith("DO $timescale$")
        assert "IF NOT EXISTS" in sql
        assert "compression_enabled" in sql
        assert sql.rstrip().endswith("$timescale$")
    assert "hypertable_schema = 'fleet'" in fleet
    assert "hypertable_name = 'power_measurements'" in fleet


def test_compression_policy_after_seven_days() -> None:
    assert add_compression_policy_sql(FLEET_MEASUREMENTS) == (
        "SELECT add_compression_policy('fleet.power_measurements', "
        "compress_after => INTERVAL '7 days', if_not_exists => true)"
    )
    assert remove_compression_policy_sql(MONITORING_MEASUREMENTS) == (
        "SELECT remove_compression_policy('monitoring.power_measurements', if_exists => true)"
    )


def test_standalone_statements() -> None:
    statements = bootstrap_statements(
        plan_for(RunMode.STANDALONE, compression_ready=True), compression_available=True
    )
    assert statements == [
        create_hypertable_sql(MONITORING_MEASUREMENTS),
        enable_compression_sql(MONITORING_MEASUREMENTS),
        add_compression_policy_sql(MONITORING_MEASUREMENTS),
    ]
    assert all("fleet." not in sql for sql in statements)


def test_admin_statements_touch_only_the_fleet() -> None:
    statements = bootstrap_statements(
        plan_for(RunMode.ADMIN, compression_ready=True), compression_available=True
    )
    assert statements == [
        create_hypertable_sql(FLEET_MEASUREMENTS),
        enable_compression_sql(FLEET_MEASUREMENTS),
        add_compression_policy_sql(FLEET_MEASUREMENTS),
    ]
    assert all("monitoring." not in sql for sql in statements)


def test_client_statements_never_compress() -> None:
    statements = bootstrap_statements(plan_for(RunMode.CLIENT), compression_available=True)
    assert statements == [
        create_hypertable_sql(MONITORING_MEASUREMENTS),
        remove_compression_policy_sql(MONITORING_MEASUREMENTS),
    ]


def test_apache_build_gets_hypertables_only() -> None:
    for mode in RunMode:
        plan = plan_for(mode, compression_ready=True)
        statements = bootstrap_statements(plan, compression_available=False)
        assert len(statements) == 1
        assert statements[0].startswith("SELECT create_hypertable(")


@pytest.mark.parametrize("mode", list(RunMode))
@pytest.mark.parametrize("compression", [True, False])
@pytest.mark.parametrize("ready", [True, False])
def test_every_statement_is_idempotent(mode: RunMode, compression: bool, ready: bool) -> None:
    plan = plan_for(mode, compression_ready=ready)
    for sql in bootstrap_statements(plan, compression_available=compression):
        assert any(guard in sql for guard in GUARDS), sql
        # no continuous aggregates (see the module docstring), nothing destructive
        assert "MATERIALIZED VIEW" not in sql.upper()
        assert "DROP " not in sql.upper()


def test_detection_asks_the_server() -> None:
    assert AVAILABLE_SQL == "SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'"


@pytest.mark.parametrize("hypertable", [MONITORING_MEASUREMENTS, FLEET_MEASUREMENTS])
def test_tables_fit_a_hypertable(hypertable: Hypertable) -> None:
    table = _table(hypertable)
    time = table.c[hypertable.time_column]
    assert not time.nullable
    assert getattr(time.type, "timezone", False)
    # every unique constraint or index must include the partitioning column
    primary = [column.name for column in table.primary_key.columns]
    assert primary == [*hypertable.segment_by, hypertable.time_column]
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            assert hypertable.time_column in constraint.columns
    for index in table.indexes:
        if index.unique:
            assert hypertable.time_column in index.columns
    for column in hypertable.segment_by:
        assert not table.c[column].nullable


def test_parse_version() -> None:
    assert parse_version("2.19.3") == (2, 19)
    assert parse_version("2.13.0-dev") == (2, 13)
    assert parse_version("nonsense") == (0, 0)
    assert parse_version("2.9.1") < (2, 13) <= parse_version("2.13.1")


def test_switch_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().timescale is TimescaleMode.AUTO
    monkeypatch.setenv("PORTAL_TIMESCALE", "off")
    assert Settings().timescale is TimescaleMode.OFF
    monkeypatch.setenv("PORTAL_TIMESCALE", "always")
    with pytest.raises(ValueError, match="timescale"):
        Settings()
