"""Queue of rollup ranges still to rebuild (ingest defers the rebuild).

Revision ID: 0010_rollup_queue
Revises: 0009_fleet_received_index
Create Date: 2026-11-27 09:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_rollup_queue"
down_revision: str | None = "0009_fleet_received_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rollup_pending",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("device_id", sa.BigInteger(), nullable=False),
        sa.Column("lo", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hi", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registers_mask", sa.Integer(), nullable=False),
        sa.Column(
            "queued_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["app.devices.id"],
            name=op.f("fk_rollup_pending_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollup_pending")),
        schema="monitoring",
    )
    op.create_index(
        "ix_rollup_pending_device", "rollup_pending", ["device_id"], schema="monitoring"
    )


def downgrade() -> None:
    op.drop_index("ix_rollup_pending_device", table_name="rollup_pending", schema="monitoring")
    op.drop_table("rollup_pending", schema="monitoring")
