"""Fleet customer codes as operators write them, their host-name slugs, token rotation with a
grace period.

- ``fleet.customers.code``: unique whatever its case (``uq_customers_code_lower`` on
  ``lower(code)`` replaces ``uq_customers_code``); the codes stored so far are lower case;
- ``fleet.customers.slug``: the code as a host name (lower case, ``_`` as ``-``), unique;
  the stored codes are their own slugs;
- ``fleet.customers.previous_token_sha256`` / ``previous_token_expires_at``: the token a
  rotation replaced and until when it is still accepted; ``token_last_used_at`` /
  ``previous_token_last_used_at``: when each was last used; ``token_rotated_at``.

Revision ID: 0018_fleet_codes
Revises: 0017_reports
Create Date: 2026-12-03 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_fleet_codes"
down_revision: str | None = "0017_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENTS = (
    "token_last_used_at",
    "previous_token_expires_at",
    "previous_token_last_used_at",
    "token_rotated_at",
)


def upgrade() -> None:
    op.add_column("customers", sa.Column("slug", sa.String(length=40)), schema="fleet")
    op.execute("UPDATE fleet.customers SET slug = replace(lower(code), '_', '-')")
    op.alter_column("customers", "slug", nullable=False, schema="fleet")
    op.create_index("uq_customers_slug", "customers", ["slug"], unique=True, schema="fleet")
    op.create_index(
        "uq_customers_code_lower",
        "customers",
        [sa.text("lower(code)")],
        unique=True,
        schema="fleet",
    )
    op.drop_index("uq_customers_code", table_name="customers", schema="fleet")
    op.add_column(
        "customers", sa.Column("previous_token_sha256", sa.String(length=64)), schema="fleet"
    )
    for name in _MOMENTS:
        op.add_column("customers", sa.Column(name, sa.DateTime(timezone=True)), schema="fleet")
    op.create_index(
        "uq_customers_previous_token_sha256",
        "customers",
        ["previous_token_sha256"],
        unique=True,
        schema="fleet",
    )


def downgrade() -> None:
    op.drop_index("uq_customers_previous_token_sha256", table_name="customers", schema="fleet")
    for name in reversed(_MOMENTS):
        op.drop_column("customers", name, schema="fleet")
    op.drop_column("customers", "previous_token_sha256", schema="fleet")
    # codes that differ from their lower case go back to it (the old pattern's codes)
    op.execute("UPDATE fleet.customers SET code = lower(code)")
    op.create_index("uq_customers_code", "customers", ["code"], unique=True, schema="fleet")
    op.drop_index("uq_customers_code_lower", table_name="customers", schema="fleet")
    op.drop_index("uq_customers_slug", table_name="customers", schema="fleet")
    op.drop_column("customers", "slug", schema="fleet")
