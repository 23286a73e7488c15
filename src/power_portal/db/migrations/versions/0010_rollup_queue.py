"""Queue of rollup ranges still to rebuild (ingest defers the rebuild).

Revision ID: 0010_rollup_queue
Revises: 0009_fleet_received_index
Create Date: 2026-11-27 09:45:00.000000
"""

from collections.abc import Sequence

revision: str = "0010_rollup_queue"
down_revision: str | None = "0009_fleet_received_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
