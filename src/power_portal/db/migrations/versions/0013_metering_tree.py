"""The metering tree: device parents and roles, virtual meters, daily rollups.

- ``app.devices.parent_id`` (a device of the same site; the service refuses cycles and
  other sites) and ``role`` (``supply`` | ``generation`` | ``submeter``);
- ``app.sites.discrepancy_percent``: how far a day's children may exceed their parent
  before the site warns;
- ``app.virtual_meters`` and their signed terms (a device or another virtual meter);
- ``monitoring.rollup_1d``: energy per device and *local* day of its site, kept with the
  15-minute rollup, so that a view of every meter over a year reads days, not buckets;
  filled here from the existing 15-minute rollups;
- ``fleet.devices.parent_id`` and ``role``: the fleet push carries the tree.

Revision ID: 0013_metering_tree
Revises: 0012_grafana
Create Date: 2026-12-03 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_metering_tree"
down_revision: str | None = "0012_grafana"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REGISTERS = (
    "energy_import_kwh",
    "energy_export_kwh",
    "reactive_energy_import_kvarh",
    "reactive_energy_export_kvarh",
    "apparent_energy_kvah",
)
ROLES = "role IN ('supply', 'generation', 'submeter')"


def upgrade() -> None:
    for schema in ("app", "fleet"):
        op.add_column(
            "devices", sa.Column("parent_id", sa.BigInteger(), nullable=True), schema=schema
        )
        op.add_column(
            "devices",
            sa.Column("role", sa.String(20), server_default="submeter", nullable=False),
            schema=schema,
        )
    op.create_check_constraint("role", "devices", ROLES, schema="app")
    op.create_foreign_key(
        op.f("fk_devices_parent_id_devices"),
        "devices",
        "devices",
        ["parent_id"],
        ["id"],
        source_schema="app",
        referent_schema="app",
        ondelete="SET NULL",
    )
    op.create_index("ix_devices_parent_id", "devices", ["parent_id"], schema="app")
    op.add_column(
        "sites",
        sa.Column("discrepancy_percent", sa.Float(), server_default="5", nullable=False),
        schema="app",
    )

    op.create_table(
        "virtual_meters",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
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
            name=op.f("fk_virtual_meters_site_id_sites"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_virtual_meters")),
        schema="app",
    )
    op.create_index("ix_virtual_meters_site_id", "virtual_meters", ["site_id"], schema="app")
    op.create_table(
        "virtual_meter_terms",
        sa.Column("virtual_meter_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("sign", sa.SmallInteger(), nullable=False),
        sa.Column("device_id", sa.BigInteger(), nullable=True),
        sa.Column("meter_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("sign IN (-1, 1)", name=op.f("ck_virtual_meter_terms_sign")),
        sa.CheckConstraint(
            "(device_id IS NULL) <> (meter_id IS NULL)", name=op.f("ck_virtual_meter_terms_one_ref")
        ),
        sa.ForeignKeyConstraint(
            ["virtual_meter_id"],
            ["app.virtual_meters.id"],
            name=op.f("fk_virtual_meter_terms_virtual_meter_id_virtual_meters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["app.devices.id"],
            name=op.f("fk_virtual_meter_terms_device_id_devices"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["meter_id"],
            ["app.virtual_meters.id"],
            name=op.f("fk_virtual_meter_terms_meter_id_virtual_meters"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "virtual_meter_id", "position", name=op.f("pk_virtual_meter_terms")
        ),
        schema="app",
    )
    op.create_index(
        "ix_virtual_meter_terms_device_id", "virtual_meter_terms", ["device_id"], schema="app"
    )

    op.create_table(
        "rollup_1d",
        sa.Column("device_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sample_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        *(
            sa.Column(name, sa.Float(), server_default=sa.text("0"), nullable=False)
            for name in REGISTERS
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["app.devices.id"],
            name=op.f("fk_rollup_1d_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("device_id", "day", name="pk_rollup_1d"),
        schema="monitoring",
    )
    sums = ", ".join(f"sum(r.{name})" for name in REGISTERS)
    op.execute(f"""
        INSERT INTO monitoring.rollup_1d (device_id, day, sample_count, {", ".join(REGISTERS)})
        SELECT r.device_id, (r.bucket_start AT TIME ZONE s.timezone)::date,
               sum(r.sample_count), {sums}
        FROM monitoring.rollup_15m r
        JOIN app.devices d ON d.id = r.device_id
        JOIN app.sites s ON s.id = d.site_id
        GROUP BY 1, 2
    """)


def downgrade() -> None:
    op.drop_table("rollup_1d", schema="monitoring")
    op.drop_index("ix_virtual_meter_terms_device_id", "virtual_meter_terms", schema="app")
    op.drop_table("virtual_meter_terms", schema="app")
    op.drop_index("ix_virtual_meters_site_id", "virtual_meters", schema="app")
    op.drop_table("virtual_meters", schema="app")
    op.drop_column("sites", "discrepancy_percent", schema="app")
    op.drop_index("ix_devices_parent_id", "devices", schema="app")
    op.drop_constraint(op.f("fk_devices_parent_id_devices"), "devices", schema="app")
    op.drop_constraint("ck_devices_role", "devices", schema="app")
    for schema in ("app", "fleet"):
        op.drop_column("devices", "role", schema=schema)
        op.drop_column("devices", "parent_id", schema=schema)
