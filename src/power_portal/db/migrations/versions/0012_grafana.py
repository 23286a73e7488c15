"""Grafana settings (base URL and dashboards).

Revision ID: 0012_grafana
Revises: 0011_gateways
Create Date: 2026-11-27 09:45:00.000000
"""

from collections.abc import Sequence

revision: str = "0012_grafana"
down_revision: str | None = "0011_gateways"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
