"""Grafana settings (base URL and dashboards), and the energy-cost function Grafana reads.

``app.energy_cost_15m(device, from, to)`` prices each 15-minute rollup bucket of a
device at the energy rate of its site's tariff: the version in force on the local
date, the season of the local month, the day type (explicit holiday overrides
honoured; a public-holiday *calendar* is not known to SQL, so those days are
ordinary days) and the period whose window holds the bucket's local start. A SQL
function, not a view: its body is resolved when called, so the TimescaleDB
bootstrap may replace ``monitoring.rollup_15m`` with a continuous aggregate of the
same name and columns without a dependency in the way.

Revision ID: 0012_grafana
Revises: 0011_gateways
Create Date: 2026-11-27 09:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012_grafana"
down_revision: str | None = "0011_gateways"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENERGY_COST_FUNCTION = r"""
CREATE OR REPLACE FUNCTION app.energy_cost_15m(
    p_device_id bigint, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (
    bucket_start timestamptz,
    day_start timestamptz,
    local_day date,
    currency text,
    season text,
    period text,
    energy_kwh double precision,
    rate double precision,
    cost double precision)
LANGUAGE sql STABLE
AS $body$
WITH buckets AS (
    SELECT r.bucket_start, r.energy_import_kwh, t.id AS tariff_id, t.currency::text AS currency,
           t.timezone AS tz, t.public_holidays,
           r.bucket_start AT TIME ZONE t.timezone AS local_ts
    FROM monitoring.rollup_15m r
    JOIN app.devices d ON d.id = r.device_id
    JOIN app.sites s ON s.id = d.site_id
    JOIN app.tariffs t ON t.id = s.tariff_id
    WHERE r.device_id = p_device_id AND r.bucket_start >= p_from AND r.bucket_start < p_to
),
classified AS (
    SELECT b.*, v.definition,
           coalesce(
               (SELECT o ->> 'treat_as'
                FROM jsonb_array_elements(coalesce(b.public_holidays -> 'overrides', '[]'::jsonb)) o
                WHERE (o ->> 'date')::date = b.local_ts::date AND o ->> 'treat_as' IS NOT NULL
                LIMIT 1),
               (ARRAY['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])
                   [extract(isodow FROM b.local_ts)::int]
           ) AS day_type,
           extract(hour FROM b.local_ts)::int * 60 + extract(minute FROM b.local_ts)::int
               AS minute
    FROM buckets b
    JOIN LATERAL (
        SELECT v.definition
        FROM app.tariff_versions v
        WHERE v.tariff_id = b.tariff_id
          AND v.effective_from <= b.local_ts::date
          AND (v.effective_to IS NULL OR b.local_ts::date < v.effective_to)
        ORDER BY v.effective_from DESC
        LIMIT 1
    ) v ON true
),
seasoned AS (
    SELECT c.*,
           (SELECT se ->> 'name'
            FROM jsonb_array_elements(c.definition -> 'seasons') se
            WHERE se -> 'months' @> to_jsonb(extract(month FROM c.local_ts)::int)
            LIMIT 1) AS season
    FROM classified c
),
timed AS (
    SELECT s.*,
           (SELECT p ->> 'name'
            FROM jsonb_array_elements(s.definition -> 'periods') p,
                 LATERAL (SELECT split_part(p ->> 'start', ':', 1)::int * 60
                                 + split_part(p ->> 'start', ':', 2)::int AS lo,
                                 split_part(p ->> 'end', ':', 1)::int * 60
                                 + split_part(p ->> 'end', ':', 2)::int AS hi) w
            WHERE p ->> 'season' = s.season
              AND p -> 'days' @> to_jsonb(s.day_type)
              AND CASE WHEN w.lo < w.hi THEN s.minute >= w.lo AND s.minute < w.hi
                       ELSE s.minute >= w.lo OR s.minute < w.hi END
            LIMIT 1) AS period
    FROM seasoned s
)
SELECT t.bucket_start,
       date_trunc('day', t.local_ts) AT TIME ZONE t.tz,
       t.local_ts::date,
       t.currency,
       t.season,
       t.period,
       t.energy_import_kwh,
       r.rate,
       t.energy_import_kwh * r.rate
FROM timed t
LEFT JOIN LATERAL (
    SELECT (e ->> 'rate')::float8 AS rate
    FROM jsonb_array_elements(t.definition -> 'energy_rates') e
    WHERE e ->> 'season' = t.season AND e ->> 'period' = t.period
    LIMIT 1
) r ON true
$body$
"""


def upgrade() -> None:
    op.create_table(
        "grafana_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=True),
        sa.Column(
            "dashboards",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_grafana_settings_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grafana_settings")),
        schema="app",
    )
    op.get_bind().exec_driver_sql(ENERGY_COST_FUNCTION)
    op.execute(
        sa.text(
            "COMMENT ON FUNCTION app.energy_cost_15m(bigint, timestamptz, timestamptz) IS "
            "'Energy charge (before VAT) per 15-minute rollup bucket of a device at its site''s "
            "tariff rate; read by the provisioned Grafana dashboards'"
        )
    )


def downgrade() -> None:
    op.execute(
        sa.text("DROP FUNCTION IF EXISTS app.energy_cost_15m(bigint, timestamptz, timestamptz)")
    )
    op.drop_table("grafana_settings", schema="app")
