"""Tenant users and row-level security (docs/api/tenants.md, "Tenant users").

- ``identity.users`` gets ``tenant_id`` (``app.tenants``, ``ON DELETE CASCADE``: a tenant that
  is deleted takes its logins and their sessions with it) and the role ``tenant``; a tenant
  user has a tenant and no other user has one (check ``ck_users_tenant_role``).
- Row-level security, enabled and forced (the portal's own role owns the tables, and an owner
  passes unforced policies), on the tables a tenant user reads: ``app.tenants``,
  ``app.tenant_meters``, ``app.devices``, ``app.virtual_meters``, ``monitoring.rollup_15m`` and
  ``monitoring.rollup_1d``. A session that does not set ``portal.tenant_id`` (every role but
  ``tenant``, the ingest, the workers) sees and writes every row; a session that sets it (a
  tenant user's request: ``core.scope``) sees its tenant, its assignments, the meters it holds
  or held (devices also through the virtual meters it holds), and the rollup buckets of those
  devices that lie wholly inside the instants it held them; it writes none of these tables.
- Not on ``monitoring.power_measurements``: TimescaleDB refuses compression on a hypertable
  with row security and row security on a compressed one ("compression cannot be used on table
  with row security", timescale/timescaledb#6827), and compression is how the raw history is
  kept (``db/timescale.py``). The raw readings a tenant reads (the latest reading, short
  series) are scoped by the services.

Superusers bypass row security whatever the table says: the embedded development server runs
the portal as ``postgres``, so there only the services' checks apply; the deploy/ stack's
``portal`` role is not a superuser (OPERATIONS.md) and gets both.

Revision ID: 0015_tenant_users
Revises: 0014_tenants
Create Date: 2026-12-03 02:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_tenant_users"
down_revision: str | None = "0014_tenants"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tenant a session is scoped to, or NULL. Policies read it as ``(SELECT …)``: an InitPlan,
# evaluated once per statement rather than once per row.
TENANT_FUNCTION = """
CREATE FUNCTION app.portal_tenant_id() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT NULLIF(current_setting('portal.tenant_id', true), '')::bigint $$
"""

# Every meter a tenant holds or held, with the instants: its assignments, and the devices and
# virtual meters inside its virtual meters (recursively: nesting is acyclic, and UNION stops a
# repeat anyway), each with the span of the assignment it came through.
SPANS_FUNCTION = """
CREATE FUNCTION app.tenant_meter_spans(p_tenant_id bigint)
RETURNS TABLE (device_id bigint, virtual_meter_id bigint,
               start_at timestamptz, end_at timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    WITH RECURSIVE held (device_id, virtual_meter_id, start_at, end_at) AS (
        SELECT m.device_id, m.virtual_meter_id, m.start_at, m.end_at
        FROM app.tenant_meters m WHERE m.tenant_id = p_tenant_id
        UNION
        SELECT t.device_id, t.meter_id, h.start_at, h.end_at
        FROM held h JOIN app.virtual_meter_terms t ON t.virtual_meter_id = h.virtual_meter_id
    )
    SELECT device_id, virtual_meter_id, start_at, end_at FROM held
$$
"""

SPANS_OF_SCOPE = "app.tenant_meter_spans(app.portal_tenant_id())"

# Whether the scoped tenant holds or held a meter: at any time, or (devices) over a whole
# interval. Functions, not inline subqueries: the planner costs a call as one operator
# (``COST 1``), where an inline EXISTS per row made it pick worse plans for every session
# (measured: a month of 15-minute buckets of 50 meters, unscoped, 26 ms -> 56 ms; with the
# functions 28 ms). For an unscoped session the ``OR`` stops at the first operand, so these
# are never called; for a scoped one they run per row (its few meters).
HELD_FUNCTIONS = [
    f"""
CREATE FUNCTION app.tenant_held_meter(p_device_id bigint, p_virtual_meter_id bigint)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE COST 1
AS $$
    SELECT EXISTS (SELECT 1 FROM {SPANS_OF_SCOPE} s
                   WHERE s.device_id = p_device_id OR s.virtual_meter_id = p_virtual_meter_id)
$$
""",
    f"""
CREATE FUNCTION app.tenant_held_device(p_device_id bigint, p_from timestamptz, p_to timestamptz)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE COST 1
AS $$
    SELECT EXISTS (SELECT 1 FROM {SPANS_OF_SCOPE} s
                   WHERE s.device_id = p_device_id AND s.start_at <= p_from
                     AND (s.end_at IS NULL OR p_to <= s.end_at))
$$
""",
    """
CREATE FUNCTION app.tenant_held_device_day(p_device_id bigint, p_day date)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE COST 1
AS $$
    SELECT app.tenant_held_device(p_device_id,
                                  p_day::timestamp AT TIME ZONE site.timezone,
                                  (p_day + 1)::timestamp AT TIME ZONE site.timezone)
    FROM app.devices d JOIN app.sites site ON site.id = d.site_id
    WHERE d.id = p_device_id
$$
""",
]
HELD_FUNCTION_SIGNATURES = (
    "app.tenant_held_meter(bigint, bigint)",
    "app.tenant_held_device(bigint, timestamptz, timestamptz)",
    "app.tenant_held_device_day(bigint, date)",
)

# A scoped session's own rows, per table.
TENANT_ROWS: dict[str, str] = {
    "app.tenants": "id = (SELECT app.portal_tenant_id())",
    "app.tenant_meters": "tenant_id = (SELECT app.portal_tenant_id())",
    "app.devices": "app.tenant_held_meter(id, NULL)",
    "app.virtual_meters": "app.tenant_held_meter(NULL, id)",
    # a 15-minute bucket wholly inside a span the tenant held the device
    "monitoring.rollup_15m": (
        "app.tenant_held_device(device_id, bucket_start, bucket_start + interval '15 minutes')"
    ),
    # a local day of the device's site wholly inside a span the tenant held the device
    "monitoring.rollup_1d": "coalesce(app.tenant_held_device_day(device_id, day), false)",
}


UNSCOPED = "(SELECT app.portal_tenant_id()) IS NULL"


def _policy_name(table: str, what: str) -> str:
    return f"{table.split('.')[1]}_{what}"


def enable_row_security(table: str, tenant_rows: str) -> None:
    """Force row security on ``table``: reads scoped to the tenant, writes unscoped only."""
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY {_policy_name(table, 'read')} ON {table} FOR SELECT "
        f"USING ({UNSCOPED} OR {tenant_rows})"
    )
    op.execute(
        f"CREATE POLICY {_policy_name(table, 'insert')} ON {table} FOR INSERT "
        f"WITH CHECK ({UNSCOPED})"
    )
    op.execute(
        f"CREATE POLICY {_policy_name(table, 'update')} ON {table} FOR UPDATE "
        f"USING ({UNSCOPED}) WITH CHECK ({UNSCOPED})"
    )
    op.execute(
        f"CREATE POLICY {_policy_name(table, 'delete')} ON {table} FOR DELETE USING ({UNSCOPED})"
    )


def disable_row_security(table: str) -> None:
    for what in ("read", "insert", "update", "delete"):
        op.execute(f"DROP POLICY IF EXISTS {_policy_name(table, what)} ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("tenant_id", sa.BigInteger(), nullable=True), schema="identity"
    )
    op.create_foreign_key(
        op.f("fk_users_tenant_id_tenants"),
        "users",
        "tenants",
        ["tenant_id"],
        ["id"],
        source_schema="identity",
        referent_schema="app",
        ondelete="CASCADE",
    )
    op.create_index("ix_users_tenant_id", "users", ["tenant_id"], schema="identity")
    op.drop_constraint(op.f("ck_users_role_known"), "users", schema="identity", type_="check")
    op.create_check_constraint(
        op.f("ck_users_role_known"),
        "users",
        "role IN ('admin', 'viewer', 'tenant')",
        schema="identity",
    )
    op.create_check_constraint(
        op.f("ck_users_tenant_role"),
        "users",
        "(role = 'tenant') = (tenant_id IS NOT NULL)",
        schema="identity",
    )
    op.execute(TENANT_FUNCTION)
    op.execute(SPANS_FUNCTION)
    for function in HELD_FUNCTIONS:
        op.execute(function)
    for table, tenant_rows in TENANT_ROWS.items():
        enable_row_security(table, tenant_rows)


def downgrade() -> None:
    for table in reversed(list(TENANT_ROWS)):
        disable_row_security(table)
    for signature in HELD_FUNCTION_SIGNATURES:
        op.execute(f"DROP FUNCTION {signature}")
    op.execute("DROP FUNCTION app.tenant_meter_spans(bigint)")
    op.execute("DROP FUNCTION app.portal_tenant_id()")
    op.execute("DELETE FROM identity.users WHERE role = 'tenant'")
    op.drop_constraint(op.f("ck_users_tenant_role"), "users", schema="identity", type_="check")
    op.drop_constraint(op.f("ck_users_role_known"), "users", schema="identity", type_="check")
    op.create_check_constraint(
        op.f("ck_users_role_known"), "users", "role IN ('admin', 'viewer')", schema="identity"
    )
    op.drop_index("ix_users_tenant_id", "users", schema="identity")
    op.drop_constraint(
        op.f("fk_users_tenant_id_tenants"), "users", schema="identity", type_="foreignkey"
    )
    op.drop_column("users", "tenant_id", schema="identity")
