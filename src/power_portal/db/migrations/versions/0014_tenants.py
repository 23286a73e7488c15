"""Tenants and their meters over time (issue 17).

- ``app.tenants``: a tenant (or department / cost centre) of one site and its recharge
  rule (``rule_kind`` ``own_tariff`` | ``pass_through``, the tenant's tariff, how the site's
  fixed and demand charges are shared, the mark-up with its cap and the admin fee);
- ``app.tenant_meters``: which device or virtual meter a tenant holds from ``start_at``
  (inclusive) to ``end_at`` (exclusive, null: still there). The service refuses overlapping
  assignments of one meter; the checks here keep exactly one reference and a non-empty span.

Revision ID: 0014_tenants
Revises: 0013_metering_tree
Create Date: 2026-12-03 01:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_tenants"
down_revision: str | None = "0013_metering_tree"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column(
            name,
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        )
        for name in ("created_at", "updated_at")
    ]


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("reference", sa.String(100), nullable=True),
        sa.Column("contact_email", sa.String(320), nullable=True),
        sa.Column("rule_kind", sa.String(20), nullable=False),
        sa.Column("tariff_id", sa.BigInteger(), nullable=True),
        sa.Column("apportion", sa.String(20), nullable=True),
        sa.Column("fixed_share_percent", sa.Float(), nullable=True),
        sa.Column("markup_percent", sa.Float(), server_default=sa.text("0"), nullable=False),
        sa.Column("markup_cap", sa.Float(), nullable=True),
        sa.Column("admin_fee", sa.Float(), server_default=sa.text("0"), nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "rule_kind IN ('own_tariff', 'pass_through')", name=op.f("ck_tenants_rule_kind")
        ),
        sa.CheckConstraint(
            "apportion IN ('energy', 'coincident_demand', 'fixed_shares')",
            name=op.f("ck_tenants_apportion"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["app.sites.id"],
            name=op.f("fk_tenants_site_id_sites"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tariff_id"],
            ["app.tariffs.id"],
            name=op.f("fk_tenants_tariff_id_tariffs"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
        schema="app",
    )
    op.create_index("ix_tenants_site_id", "tenants", ["site_id"], schema="app")
    op.create_table(
        "tenant_meters",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("device_id", sa.BigInteger(), nullable=True),
        sa.Column("virtual_meter_id", sa.BigInteger(), nullable=True),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(
            "(device_id IS NULL) <> (virtual_meter_id IS NULL)",
            name=op.f("ck_tenant_meters_one_ref"),
        ),
        sa.CheckConstraint(
            "end_at IS NULL OR end_at > start_at", name=op.f("ck_tenant_meters_span")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["app.tenants.id"],
            name=op.f("fk_tenant_meters_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["app.devices.id"],
            name=op.f("fk_tenant_meters_device_id_devices"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["virtual_meter_id"],
            ["app.virtual_meters.id"],
            name=op.f("fk_tenant_meters_virtual_meter_id_virtual_meters"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant_meters")),
        schema="app",
    )
    for column in ("tenant_id", "device_id", "virtual_meter_id"):
        op.create_index(f"ix_tenant_meters_{column}", "tenant_meters", [column], schema="app")


def downgrade() -> None:
    for column in ("tenant_id", "device_id", "virtual_meter_id"):
        op.drop_index(f"ix_tenant_meters_{column}", "tenant_meters", schema="app")
    op.drop_table("tenant_meters", schema="app")
    op.drop_index("ix_tenants_site_id", "tenants", schema="app")
    op.drop_table("tenants", schema="app")
