"""Queue of fleet rollup ranges still to rebuild (the fleet ingest defers the rebuild).

``fleet.rollup_pending`` is to ``fleet.rollup_15m`` what ``monitoring.rollup_pending``
(0010) is to the monitoring rollups: a fleet batch logs the ranges it stored, with its rows,
and the admin stack's fleet rollup worker (``fleet/rollup_log.py``) rebuilds them right
after. Keyed ``(customer_id, id)`` and referring to its customer by ``customer_id``, like
every fleet table, so it can be distributed by customer (Citus).

Revision ID: 0020_fleet_rollup_pending
Revises: 0019_device_token_notify
Create Date: 2026-12-03 17:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_fleet_rollup_pending"
down_revision: str | None = "0019_device_token_notify"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rollup_pending",
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("device_id", sa.BigInteger(), nullable=False),
        sa.Column("lo", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hi", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registers_mask", sa.Integer(), nullable=False),
        sa.Column(
            "queued_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["fleet.customers.id"],
            name=op.f("fk_rollup_pending_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "id", name="pk_fleet_rollup_pending"),
        schema="fleet",
    )
    op.create_index(
        "ix_fleet_rollup_pending_device",
        "rollup_pending",
        ["customer_id", "device_id"],
        schema="fleet",
    )


def downgrade() -> None:
    op.drop_index("ix_fleet_rollup_pending_device", table_name="rollup_pending", schema="fleet")
    op.drop_table("rollup_pending", schema="fleet")
