"""Gateway health and pending gateways (the MQTT bridge).

Revision ID: 0011_gateways
Revises: 0010_rollup_queue
Create Date: 2026-11-27 09:45:00.000000
"""

from collections.abc import Sequence

revision: str = "0011_gateways"
down_revision: str | None = "0010_rollup_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
