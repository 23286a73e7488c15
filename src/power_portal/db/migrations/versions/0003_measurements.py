"""Sites, devices, device tokens; measurements and their 15-minute rollups.

Revision ID: 0003_measurements
Revises: 0002_identity
Create Date: 2026-11-27 07:35:24.745629
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_measurements"
down_revision: str | None = "0002_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("utility", sa.String(length=200), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("tariff_id", sa.BigInteger(), nullable=True),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        schema="app",
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("serial", sa.String(length=100), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["app.sites.id"],
            name=op.f("fk_devices_site_id_sites"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        schema="app",
    )
    op.create_index("ix_devices_site_id", "devices", ["site_id"], unique=False, schema="app")
    op.create_index("uq_devices_serial", "devices", ["serial"], unique=True, schema="app")
    op.create_table(
        "device_tokens",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("device_id", sa.BigInteger(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["app.devices.id"],
            name=op.f("fk_device_tokens_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_tokens")),
        schema="app",
    )
    op.create_index(
        "ix_device_tokens_device_id", "device_tokens", ["device_id"], unique=False, schema="app"
    )
    op.create_index(
        "uq_device_tokens_sha256", "device_tokens", ["token_sha256"], unique=True, schema="app"
    )
    op.create_table(
        "power_measurements",
        sa.Column("device_id", sa.BigInteger(), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voltage_l1_v", sa.Double(), nullable=True),
        sa.Column("voltage_l2_v", sa.Double(), nullable=True),
        sa.Column("voltage_l3_v", sa.Double(), nullable=True),
        sa.Column("voltage_l12_v", sa.Double(), nullable=True),
        sa.Column("voltage_l23_v", sa.Double(), nullable=True),
        sa.Column("voltage_l31_v", sa.Double(), nullable=True),
        sa.Column("current_l1_a", sa.Double(), nullable=True),
        sa.Column("current_l2_a", sa.Double(), nullable=True),
        sa.Column("current_l3_a", sa.Double(), nullable=True),
        sa.Column("current_n_a", sa.Double(), nullable=True),
        sa.Column("power_kw", sa.Double(), nullable=True),
        sa.Column("power_l1_kw", sa.Double(), nullable=True),
        sa.Column("power_l2_kw", sa.Double(), nullable=True),
        sa.Column("power_l3_kw", sa.Double(), nullable=True),
        sa.Column("reactive_power_kvar", sa.Double(), nullable=True),
        sa.Column("apparent_power_kva", sa.Double(), nullable=True),
        sa.Column("power_factor", sa.Double(), nullable=True),
        sa.Column("frequency_hz", sa.Double(), nullable=True),
        sa.Column("energy_import_kwh", sa.Double(), nullable=True),
        sa.Column("energy_export_kwh", sa.Double(), nullable=True),
        sa.Column("reactive_energy_import_kvarh", sa.Double(), nullable=True),
        sa.Column("reactive_energy_export_kvarh", sa.Double(), nullable=True),
        sa.Column("apparent_energy_kvah", sa.Double(), nullable=True),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["app.devices.id"],
            name=op.f("fk_power_measurements_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("device_id", "time", name="pk_power_measurements"),
        schema="monitoring",
    )
    # the storing transaction's id: the fleet push pages by it (see measurements/models.py)
    op.execute(
        "ALTER TABLE monitoring.power_measurements "
        "ADD COLUMN ingest_xid xid8 NOT NULL DEFAULT pg_current_xact_id()"
    )
    op.create_index(
        "ix_power_measurements_ingest_xid",
        "power_measurements",
        ["ingest_xid", "device_id", "time"],
        unique=False,
        schema="monitoring",
    )
    op.create_index(
        "ix_power_measurements_received_at",
        "power_measurements",
        ["received_at"],
        unique=False,
        schema="monitoring",
        postgresql_using="brin",
    )
    op.create_table(
        "rollup_15m",
        sa.Column("device_id", sa.BigInteger(), nullable=False),
        sa.Column("bucket_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sample_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("power_kw_avg", sa.Double(), nullable=True),
        sa.Column("power_kw_min", sa.Double(), nullable=True),
        sa.Column("power_kw_max", sa.Double(), nullable=True),
        sa.Column("reactive_power_kvar_avg", sa.Double(), nullable=True),
        sa.Column("reactive_power_kvar_min", sa.Double(), nullable=True),
        sa.Column("reactive_power_kvar_max", sa.Double(), nullable=True),
        sa.Column("apparent_power_kva_avg", sa.Double(), nullable=True),
        sa.Column("apparent_power_kva_min", sa.Double(), nullable=True),
        sa.Column("apparent_power_kva_max", sa.Double(), nullable=True),
        sa.Column("voltage_l1_v_avg", sa.Double(), nullable=True),
        sa.Column("voltage_l1_v_min", sa.Double(), nullable=True),
        sa.Column("voltage_l1_v_max", sa.Double(), nullable=True),
        sa.Column("voltage_l2_v_avg", sa.Double(), nullable=True),
        sa.Column("voltage_l2_v_min", sa.Double(), nullable=True),
        sa.Column("voltage_l2_v_max", sa.Double(), nullable=True),
        sa.Column("voltage_l3_v_avg", sa.Double(), nullable=True),
        sa.Column("voltage_l3_v_min", sa.Double(), nullable=True),
        sa.Column("voltage_l3_v_max", sa.Double(), nullable=True),
        sa.Column("current_l1_a_avg", sa.Double(), nullable=True),
        sa.Column("current_l1_a_min", sa.Double(), nullable=True),
        sa.Column("current_l1_a_max", sa.Double(), nullable=True),
        sa.Column("current_l2_a_avg", sa.Double(), nullable=True),
        sa.Column("current_l2_a_min", sa.Double(), nullable=True),
        sa.Column("current_l2_a_max", sa.Double(), nullable=True),
        sa.Column("current_l3_a_avg", sa.Double(), nullable=True),
        sa.Column("current_l3_a_min", sa.Double(), nullable=True),
        sa.Column("current_l3_a_max", sa.Double(), nullable=True),
        sa.Column("power_factor_avg", sa.Double(), nullable=True),
        sa.Column("power_factor_min", sa.Double(), nullable=True),
        sa.Column("power_factor_max", sa.Double(), nullable=True),
        sa.Column("frequency_hz_avg", sa.Double(), nullable=True),
        sa.Column("frequency_hz_min", sa.Double(), nullable=True),
        sa.Column("frequency_hz_max", sa.Double(), nullable=True),
        sa.Column("energy_import_kwh", sa.Double(), server_default=sa.text("0"), nullable=False),
        sa.Column("energy_export_kwh", sa.Double(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "reactive_energy_import_kvarh", sa.Double(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column(
            "reactive_energy_export_kvarh", sa.Double(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("apparent_energy_kvah", sa.Double(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["app.devices.id"],
            name=op.f("fk_rollup_15m_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("device_id", "bucket_start", name="pk_rollup_15m"),
        schema="monitoring",
    )


def downgrade() -> None:
    op.drop_table("rollup_15m", schema="monitoring")
    op.drop_index(
        "ix_power_measurements_received_at",
        table_name="power_measurements",
        schema="monitoring",
        postgresql_using="brin",
    )
    op.drop_index(
        "ix_power_measurements_ingest_xid", table_name="power_measurements", schema="monitoring"
    )
    op.drop_table("power_measurements", schema="monitoring")
    op.drop_index("uq_device_tokens_sha256", table_name="device_tokens", schema="app")
    op.drop_index("ix_device_tokens_device_id", table_name="device_tokens", schema="app")
    op.drop_table("device_tokens", schema="app")
    op.drop_index("uq_devices_serial", table_name="devices", schema="app")
    op.drop_index("ix_devices_site_id", table_name="devices", schema="app")
    op.drop_table("devices", schema="app")
    op.drop_table("sites", schema="app")
