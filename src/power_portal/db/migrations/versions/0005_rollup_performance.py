"""Registers a device has sent (rollups scan only those); covering index for energy.

Revision ID: 0005_rollup_performance
Revises: 0004_tariffs
Create Date: 2026-11-27 08:00:08.633330
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_rollup_performance"
down_revision: str | None = "0004_tariffs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "devices",
        sa.Column("registers_seen", sa.SmallInteger(), server_default="0", nullable=False),
        schema="app",
    )
    # Devices that already have data: record which registers they have sent.
    registers = (
        "energy_import_kwh",
        "energy_export_kwh",
        "reactive_energy_import_kvarh",
        "reactive_energy_export_kvarh",
        "apparent_energy_kvah",
    )
    bits = " | ".join(
        f"(CASE WHEN EXISTS (SELECT 1 FROM monitoring.power_measurements m "
        f"WHERE m.device_id = d.id AND m.{column} IS NOT NULL) THEN {1 << i} ELSE 0 END)"
        for i, column in enumerate(registers)
    )
    op.execute(f"UPDATE app.devices d SET registers_seen = {bits}")
    op.create_index(
        "ix_rollup_15m_energy",
        "rollup_15m",
        ["device_id", "bucket_start"],
        unique=False,
        schema="monitoring",
        postgresql_include=["energy_import_kwh", "energy_export_kwh"],
    )


def downgrade() -> None:
    op.drop_index(
        "ix_rollup_15m_energy",
        table_name="rollup_15m",
        schema="monitoring",
        postgresql_include=["energy_import_kwh", "energy_export_kwh"],
    )
    op.drop_column("devices", "registers_seen", schema="app")
