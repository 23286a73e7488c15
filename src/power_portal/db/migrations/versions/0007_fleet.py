"""Fleet: customers, their sites, devices, measurements, rollups, ingest events; push state.

Revision ID: 0007_fleet
Revises: 0006_branding
Create Date: 2026-11-27 08:09:39.400212
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_fleet"
down_revision: str | None = "0006_branding"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fleet_push_state",
        sa.Column("resource", sa.String(length=20), nullable=False),
        sa.Column("cursor", sa.String(length=200), nullable=True),
        sa.Column("batch_size", sa.Integer(), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rows_pushed", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("resource", name=op.f("pk_fleet_push_state")),
        schema="app",
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        schema="fleet",
    )
    op.create_index("uq_customers_code", "customers", ["code"], unique=True, schema="fleet")
    op.create_index(
        "uq_customers_token_sha256", "customers", ["token_sha256"], unique=True, schema="fleet"
    )
    op.create_table(
        "devices",
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("serial", sa.String(length=100), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["fleet.customers.id"],
            name=op.f("fk_devices_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "id", name="pk_fleet_devices"),
        schema="fleet",
    )
    op.create_table(
        "ingest_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=True),
        sa.Column("batch_type", sa.String(length=20), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("client_cursor", sa.String(length=200), nullable=True),
        sa.Column("earliest", sa.DateTime(timezone=True), nullable=True),
        sa.Column("latest", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["fleet.customers.id"],
            name=op.f("fk_ingest_events_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_events")),
        schema="fleet",
    )
    op.create_index(
        "ix_ingest_events_customer_received",
        "ingest_events",
        ["customer_id", "received_at"],
        unique=False,
        schema="fleet",
    )
    op.create_table(
        "power_measurements",
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
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
            ["customer_id"],
            ["fleet.customers.id"],
            name=op.f("fk_power_measurements_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "customer_id", "device_id", "time", name="pk_fleet_power_measurements"
        ),
        schema="fleet",
    )
    op.create_table(
        "rollup_15m",
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
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
            ["customer_id"],
            ["fleet.customers.id"],
            name=op.f("fk_rollup_15m_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "customer_id", "device_id", "bucket_start", name="pk_fleet_rollup_15m"
        ),
        schema="fleet",
    )
    op.create_table(
        "sites",
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("utility", sa.String(length=200), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["fleet.customers.id"],
            name=op.f("fk_sites_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "id", name="pk_fleet_sites"),
        schema="fleet",
    )


def downgrade() -> None:
    op.drop_table("sites", schema="fleet")
    op.drop_table("rollup_15m", schema="fleet")
    op.drop_table("power_measurements", schema="fleet")
    op.drop_index("ix_ingest_events_customer_received", table_name="ingest_events", schema="fleet")
    op.drop_table("ingest_events", schema="fleet")
    op.drop_table("devices", schema="fleet")
    op.drop_index("uq_customers_token_sha256", table_name="customers", schema="fleet")
    op.drop_index("uq_customers_code", table_name="customers", schema="fleet")
    op.drop_table("customers", schema="fleet")
    op.drop_table("fleet_push_state", schema="app")
