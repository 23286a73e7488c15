"""The provisioned dashboards' SQL runs on the real schema, and Grafana's cost per day agrees
with the portal's.

Each panel's ``rawSql`` and each variable's query gets Grafana's macros expanded the way
the PostgreSQL datasource expands them, then runs on a freshly migrated database seeded
with a site, a device, a tariff and a fleet customer: a wrong table or column name fails
here, and every panel must return rows. ``app.energy_cost_15m`` is then compared with
``GET /api/sites/{id}/costs/daily`` (the Python tariff engine) for a week of readings that
crosses a tariff version change and a holiday override.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from power_portal.db import timescale
from power_portal.db.timescale import TimescaleStatus
from power_portal.grafana.provisioning import dashboard_files
from power_portal.settings import RunMode, Settings
from tests.support.database import sql, url_string
from tests.support.portal import LiveServer, MeteredDevice, ingest
from tests.support.tariffs import SAST, eskom_style_version

_DURATION = re.compile(r"^'?(\d+)([smhdw])'?$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def duration_seconds(text: str) -> int:
    match = _DURATION.fullmatch(text.strip())
    assert match, f"not a Grafana duration: {text!r}"
    return int(match.group(1)) * _SECONDS[match.group(2)]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def expand_macros(
    query: str, start: datetime, end: datetime, variables: dict[str, str], interval: str = "5m"
) -> str:
    """Grafana's PostgreSQL macros, as its datasource expands them, and the variables."""
    query = query.replace("$__interval", interval)

    def time_group(match: re.Match[str], alias: bool) -> str:
        seconds = duration_seconds(match.group(2))
        expression = f"floor(extract(epoch from {match.group(1).strip()})/{seconds})*{seconds}"
        return f'{expression} AS "time"' if alias else expression

    query = re.sub(r"\$__timeGroupAlias\(([^,]+),([^)]+)\)", lambda m: time_group(m, True), query)
    query = re.sub(r"\$__timeGroup\(([^,]+),([^)]+)\)", lambda m: time_group(m, False), query)
    query = re.sub(
        r"\$__timeFilter\(([^)]+)\)",
        lambda m: f"{m.group(1).strip()} BETWEEN '{iso(start)}' AND '{iso(end)}'",
        query,
    )
    query = query.replace("$__timeFrom()", f"'{iso(start)}'")
    query = query.replace("$__timeTo()", f"'{iso(end)}'")
    for name, value in variables.items():
        query = re.sub(rf"\${name}\b", value, query)
    assert "$" not in query, f"an unexpanded macro or variable is left:\n{query}"
    return query


# ---------------------------------------------------------------- seeding


NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def seed(db_url: URL) -> dict[str, str]:
    """A site with a tariff and a device (raw rows for a day, rollups for ten), and a
    fleet customer with a device and rollups. Returns the dashboard variables' values."""
    version = eskom_style_version("2000-01-01", None)
    definition = {
        k: v
        for k, v in version.items()
        if k not in ("effective_from", "effective_to", "vat_percent")
    }
    [(tariff_id,)] = sql(
        db_url,
        "INSERT INTO app.tariffs (name, currency, timezone) "
        "VALUES ('TOU', 'ZAR', 'Africa/Johannesburg') RETURNING id",
    )
    sql(
        db_url,
        "INSERT INTO app.tariff_versions (tariff_id, effective_from, vat_percent, definition) "
        "VALUES (%s, '2000-01-01', 15, %s::jsonb)",
        tariff_id,
        json.dumps(definition),
    )
    [(site_id,)] = sql(
        db_url,
        "INSERT INTO app.sites (name, timezone, tariff_id) "
        "VALUES ('Plant', 'Africa/Johannesburg', %s) RETURNING id",
        tariff_id,
    )
    [(device_id,)] = sql(
        db_url,
        "INSERT INTO app.devices (site_id, name, serial) VALUES (%s, 'Main', 'ACV-1') RETURNING id",
        site_id,
    )
    sql(
        db_url,
        """
        INSERT INTO monitoring.power_measurements
            (device_id, time, power_kw, apparent_power_kva, voltage_l1_v, voltage_l2_v,
             voltage_l3_v, current_l1_a, current_l2_a, current_l3_a, power_factor,
             energy_import_kwh)
        SELECT %s, t, 50, 55, 230, 231, 229, 70, 71, 69, 0.91,
               1000 + extract(epoch FROM t - %s::timestamptz) / 3600 * 50
        FROM generate_series(%s::timestamptz - interval '1 day', %s::timestamptz,
                             interval '1 minute') t
        """,
        device_id,
        NOW,
        NOW,
        NOW,
    )
    sql(
        db_url,
        """
        INSERT INTO monitoring.rollup_15m
            (device_id, bucket_start, sample_count, power_kw_avg, power_kw_min, power_kw_max,
             apparent_power_kva_avg, voltage_l1_v_avg, voltage_l2_v_avg, voltage_l3_v_avg,
             current_l1_a_avg, current_l2_a_avg, current_l3_a_avg, power_factor_avg,
             energy_import_kwh, energy_export_kwh)
        SELECT %s, b, 15, 50, 40, 60, 55, 230, 231, 229, 70, 71, 69, 0.91, 12.5, 0.5
        FROM generate_series(%s::timestamptz - interval '10 days', %s::timestamptz,
                             interval '15 minutes') b
        """,
        device_id,
        NOW,
        NOW,
    )
    [(customer_id,)] = sql(
        db_url,
        "INSERT INTO fleet.customers (code, slug, name, token_sha256, active) "
        "VALUES ('acme', 'acme', 'Acme', repeat('0', 64), true) RETURNING id",
    )
    sql(
        db_url,
        "INSERT INTO fleet.devices (customer_id, id, site_id, name, serial) "
        "VALUES (%s, 7, 1, 'Main', 'ACV-7')",
        customer_id,
    )
    sql(
        db_url,
        """
        INSERT INTO fleet.rollup_15m
            (customer_id, device_id, bucket_start, sample_count, power_kw_avg, energy_import_kwh)
        SELECT %s, 7, b, 15, 80, 20
        FROM generate_series(%s::timestamptz - interval '10 days', %s::timestamptz,
                             interval '15 minutes') b
        """,
        customer_id,
        NOW,
        NOW,
    )
    return {"device": str(device_id), "customer": f"'{customer_id}'"}


DASHBOARDS = dashboard_files(RunMode.ADMIN)  # a superset: every dashboard of every mode


@pytest.mark.parametrize("span", [timedelta(hours=12), timedelta(days=8)], ids=["raw", "rollup"])
@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_every_panel_query_runs_on_the_real_schema_and_returns_rows(
    db_url: URL, name: str, span: timedelta
) -> None:
    variables = seed(db_url)
    dashboard = DASHBOARDS[name]
    start, end = NOW - span, NOW
    for variable in dashboard["templating"]["list"]:
        rows = sql(db_url, expand_macros(variable["query"], start, end, variables))
        assert rows, variable["name"]
        assert {str(value) for value, _ in rows} >= {variables[variable["name"]].strip("'")}
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            query = expand_macros(target["rawSql"], start, end, variables)
            rows = sql(db_url, query)
            assert rows, f"{panel['title']}: no rows\n{query}"
            numbers = [v for row in rows for v in row if isinstance(v, int | float | Decimal)]
            assert any(n for n in numbers), f"{panel['title']}: only zeros/nulls"


@pytest.mark.timescale
@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_every_panel_gives_the_same_rows_on_compressed_hypertables(
    db_url: URL, make_timescale_database: Callable[..., URL], name: str
) -> None:
    """On TimescaleDB after the bootstrap (the raw readings a hypertable, every chunk
    compressed), each panel and variable returns exactly what it returns on plain
    PostgreSQL for the same rows."""
    tsdb = make_timescale_database()
    report = timescale.bootstrap(tsdb, Settings(database_url=url_string(tsdb)))
    assert report.status is TimescaleStatus.ENABLED, report.detail
    variables = seed(db_url)
    assert seed(tsdb) == variables
    chunks = sql(tsdb, "SELECT count(*) FROM show_chunks('monitoring.power_measurements')")
    compressed = sql(
        tsdb,
        "SELECT count(compress_chunk(c)) FROM show_chunks('monitoring.power_measurements') c",
    )
    # A day of raw rows lies in one chunk, or two when it crosses a chunk boundary
    # (chunks are seven days, so on some days of the week it does): all are compressed.
    assert compressed == chunks
    assert isinstance(chunks[0][0], int)
    assert chunks[0][0] >= 1
    dashboard = DASHBOARDS[name]
    for span in (timedelta(hours=12), timedelta(days=8)):
        start, end = NOW - span, NOW
        queries = [variable["query"] for variable in dashboard["templating"]["list"]] + [
            target["rawSql"] for panel in dashboard["panels"] for target in panel["targets"]
        ]
        for raw in queries:
            query = expand_macros(raw, start, end, variables)
            assert sql(tsdb, query) == sql(db_url, query), query


def test_series_panels_read_raw_rows_for_short_spans_and_the_rollup_beyond(db_url: URL) -> None:
    variables = seed(db_url)
    power = next(
        p for p in DASHBOARDS["power-overview.json"]["panels"] if p["title"] == "Active power"
    )
    query = power["targets"][0]["rawSql"]
    short = sql(db_url, expand_macros(query, NOW - timedelta(hours=1), NOW, variables, "1m"))
    long = sql(db_url, expand_macros(query, NOW - timedelta(days=8), NOW, variables, "15m"))
    assert 55 <= len(short) <= 61  # one point per minute: raw readings
    assert 700 <= len(long) <= 800  # one per 15 minutes: the rollup


# ---------------------------------------------------------------- cost per day


def test_cost_per_day_in_sql_matches_the_portal_tariff_engine(
    live_server: LiveServer,
    admin_client: httpx.Client,
    make_device: Callable[..., MeteredDevice],
) -> None:
    """A week of 5-minute readings with a load that changes every hour, a tariff version
    change mid-week (rates x1.1) and a weekday billed as Sunday by an override: the SQL
    function's energy and cost per local day equal the portal's (costs rounded to cents
    per period there)."""
    meter = make_device()
    first = date(2026, 6, 22)  # a week without South African public holidays
    start = datetime(first.year, first.month, first.day, tzinfo=SAST)
    rows: list[dict[str, Any]] = []
    kwh = 500.0
    for k in range(7 * 288 + 1):
        moment = start + timedelta(minutes=5 * k)
        rows.append({"time": moment.isoformat(), "energy_import_kwh": round(kwh, 6)})
        kw = 20 + (moment.hour * 7 + moment.day) % 50
        kwh += kw * 5 / 60
    for i in range(0, len(rows), 1000):
        assert ingest(live_server.url, meter.token, rows[i : i + 1000]).status_code == 200
    tariff = {
        "name": "TOU with a change",
        "currency": "ZAR",
        "timezone": "Africa/Johannesburg",
        "public_holidays": {
            "calendar": "ZA",
            "treat_as": "sun",
            "overrides": [{"date": "2026-06-24", "treat_as": "sun"}],
        },
        "versions": [
            eskom_style_version("2025-04-01", "2026-06-26"),
            eskom_style_version("2026-06-26", None, scale=1.1),
        ],
    }
    created = admin_client.post("/api/tariffs", json=tariff)
    assert created.status_code == 201, created.text
    patched = admin_client.patch(
        f"/api/sites/{meter.site_id}", json={"tariff_id": created.json()["id"]}
    )
    assert patched.status_code == 200, patched.text
    span = {"start": first.isoformat(), "end": (first + timedelta(days=7)).isoformat()}
    portal = admin_client.get(f"/api/sites/{meter.site_id}/costs/daily", params=span)
    assert portal.status_code == 200, portal.text
    expected = {day["date"]: day for day in portal.json()["days"]}
    assert len(expected) == 7

    # the rollups are rebuilt in the background: wait until they hold the whole week
    lo, hi = start.astimezone(UTC), (start + timedelta(days=7)).astimezone(UTC)
    total = sum(day["energy_kwh"] for day in expected.values())
    deadline = time.monotonic() + 60
    while True:
        [(stored,)] = sql(
            _url(live_server),
            "SELECT coalesce(sum(energy_import_kwh), 0) FROM monitoring.rollup_15m "
            "WHERE device_id = %s AND bucket_start >= %s AND bucket_start < %s",
            meter.device_id,
            lo,
            hi,
        )
        if abs(float(str(stored)) - total) < 1e-6 or time.monotonic() > deadline:
            break
        time.sleep(0.2)

    got = sql(
        _url(live_server),
        "SELECT local_day, currency, sum(energy_kwh), sum(cost), "
        "count(*) FILTER (WHERE period IS NULL OR rate IS NULL) "
        "FROM app.energy_cost_15m(%s, %s, %s) GROUP BY 1, 2 ORDER BY 1",
        meter.device_id,
        lo,
        hi,
    )
    assert [str(day) for day, *_ in got] == sorted(expected)
    for day, currency, energy, cost, unpriced in got:
        want = expected[str(day)]
        assert currency == "ZAR"
        assert unpriced == 0
        assert float(str(energy)) == pytest.approx(want["energy_kwh"], abs=1e-6)
        # the portal rounds each period's cost to the cent: at most 3 periods a day
        assert float(str(cost)) == pytest.approx(want["cost"], abs=0.015 + 1e-9), day
    # the override made Wednesday 24 June a Sunday: all off-peak, cheaper than Tuesday
    by_day = {str(day): float(str(cost)) / float(str(energy)) for day, _, energy, cost, _ in got}
    assert by_day["2026-06-24"] == pytest.approx(0.50)  # high season off-peak rate
    assert by_day["2026-06-23"] > by_day["2026-06-24"]


def _url(server: LiveServer) -> URL:
    from sqlalchemy.engine import make_url

    secret = server.settings.database_url
    assert secret is not None
    return make_url(secret.get_secret_value())
