"""Tariffs and their effective-dated versions; sites reference their tariff.

Revision ID: 0004_tariffs
Revises: 0003_measurements
Create Date: 2026-11-27 07:56:16.817704
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_tariffs"
down_revision: str | None = "0003_measurements"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tariffs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("public_holidays", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariffs")),
        schema="app",
    )
    op.create_table(
        "tariff_versions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tariff_id", sa.BigInteger(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("vat_percent", sa.Double(), nullable=False),
        sa.Column("definition", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["tariff_id"],
            ["app.tariffs.id"],
            name=op.f("fk_tariff_versions_tariff_id_tariffs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariff_versions")),
        schema="app",
    )
    op.create_index(
        "ix_tariff_versions_tariff_id",
        "tariff_versions",
        ["tariff_id", "effective_from"],
        unique=False,
        schema="app",
    )
    op.create_foreign_key(
        op.f("fk_sites_tariff_id_tariffs"),
        "sites",
        "tariffs",
        ["tariff_id"],
        ["id"],
        source_schema="app",
        referent_schema="app",
        ondelete="RESTRICT",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_sites_tariff_id_tariffs"), "sites", schema="app", type_="foreignkey"
    )
    op.drop_index("ix_tariff_versions_tariff_id", table_name="tariff_versions", schema="app")
    op.drop_table("tariff_versions", schema="app")
    op.drop_table("tariffs", schema="app")
