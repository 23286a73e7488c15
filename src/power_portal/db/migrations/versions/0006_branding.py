"""White-label branding (a single row).

Revision ID: 0006_branding
Revises: 0005_rollup_performance
Create Date: 2026-11-27 08:06:21.376626
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_branding"
down_revision: str | None = "0005_rollup_performance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "branding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_name", sa.String(length=80), nullable=False),
        sa.Column("primary_color", sa.String(length=7), nullable=False),
        sa.Column("secondary_color", sa.String(length=7), nullable=False),
        sa.Column("theme", sa.String(length=5), nullable=False),
        sa.Column("tagline", sa.String(length=200), nullable=True),
        sa.Column("support_email", sa.String(length=320), nullable=True),
        sa.Column("support_url", sa.String(length=500), nullable=True),
        sa.Column("logo_file", sa.String(length=80), nullable=True),
        sa.Column("favicon_file", sa.String(length=80), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_branding_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_branding")),
        schema="app",
    )


def downgrade() -> None:
    op.drop_table("branding", schema="app")
