"""Which registers each fleet device has sent (rollups rebuild only those).

Revision ID: 0008_fleet_device_registers
Revises: 0007_fleet
Create Date: 2026-11-27 08:23:30.030736
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_fleet_device_registers"
down_revision: str | None = "0007_fleet"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "device_registers",
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("device_id", sa.BigInteger(), nullable=False),
        sa.Column("registers_seen", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["fleet.customers.id"],
            name=op.f("fk_device_registers_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "device_id", name="pk_fleet_device_registers"),
        schema="fleet",
    )


def downgrade() -> None:
    op.drop_table("device_registers", schema="fleet")
