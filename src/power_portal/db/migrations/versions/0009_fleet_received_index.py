"""Index for rows received per customer (the fleet overview).

Revision ID: 0009_fleet_received_index
Revises: 0008_fleet_device_registers
Create Date: 2026-11-27 08:51:26.778097
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009_fleet_received_index"
down_revision: str | None = "0008_fleet_device_registers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_fleet_power_measurements_received",
        "power_measurements",
        ["customer_id", "received_at"],
        unique=False,
        schema="fleet",
    )


def downgrade() -> None:
    op.drop_index(
        "ix_fleet_power_measurements_received", table_name="power_measurements", schema="fleet"
    )
