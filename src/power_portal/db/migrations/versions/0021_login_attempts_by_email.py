"""Failed-login limits read the attempt log by e-mail (auth/login_limits.py).

The limits count failures per (e-mail, address), per address and per e-mail from strangers
straight from ``identity.login_attempts``; the per-address count already had
``ix_login_attempts_ip_at``, the others need the log by e-mail and time.

Revision ID: 0021_login_attempts_by_email
Revises: 0020_fleet_rollup_pending
Create Date: 2026-12-03 20:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021_login_attempts_by_email"
down_revision: str | None = "0020_fleet_rollup_pending"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_login_attempts_email_at",
        "login_attempts",
        ["email", "attempted_at"],
        schema="identity",
    )


def downgrade() -> None:
    op.drop_index("ix_login_attempts_email_at", table_name="login_attempts", schema="identity")
