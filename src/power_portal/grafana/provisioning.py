"""Grafana provisioning, generated from the app's own schema (pure functions, no I/O but ``write``).

``portal grafana provision DIR`` writes, for Grafana's ``/etc/grafana/provisioning``:

- ``datasources/portal.yaml``: the portal's PostgreSQL as a datasource with a pinned
  uid. Host, port, database, user and password are Grafana environment lookups
  (``${GF_PORTAL_DB_…}``), so no secret is ever written to disk by the portal.
- ``dashboards/portal.yaml``: a file provider for the folder below.
- ``dashboards/portal/power-overview.json``: one device (``$device``): power,
  voltage, current and power factor (raw readings for spans up to two days, the
  15-minute rollup beyond), energy per local day and energy cost per local day.
- ``dashboards/portal/fleet.json`` (admin mode only): fleet power and energy per
  customer (``$customer``) and per device, and a customer table.

Cost per day: the portal's tariff engine is Python (minute-exact windows, public
holiday calendars). Grafana reads ``app.energy_cost_15m(device, from, to)`` instead,
a SQL function (migration 0012) that prices each 15-minute rollup bucket at the
rate of the tariff period its start falls in. It equals the portal's "cost per day"
(energy charges before VAT, first block's rate) when period boundaries are on
quarter hours, except that days of the tariff's public-holiday *calendar* are priced
as ordinary days (explicit holiday overrides are honoured). Fixed, demand and
reactive charges and VAT are not in it: the bill in the portal is the reference.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from power_portal.settings import RunMode

JSON = dict[str, Any]

DATASOURCE_UID: Final = "portal-postgres"
DATASOURCE_TYPE: Final = "grafana-postgresql-datasource"
DATASOURCE_NAME: Final = "Portal PostgreSQL"
DATASOURCE_REF: Final[Mapping[str, str]] = {"type": DATASOURCE_TYPE, "uid": DATASOURCE_UID}
# The Grafana environment variables the datasource reads (set by the compose file).
ENV_PREFIX: Final = "GF_PORTAL_DB_"
ENV_VARS: Final = tuple(f"{ENV_PREFIX}{n}" for n in ("HOST", "PORT", "NAME", "USER", "PASSWORD"))

FOLDER_TITLE: Final = "Power Portal"
FOLDER_UID: Final = "power-portal"
DASHBOARDS_SUBDIR: Final = "portal"
DEFAULT_GRAFANA_PROVISIONING_DIR: Final = "/etc/grafana/provisioning"
SCHEMA_VERSION: Final = 39  # Grafana 11.0
GRID_COLUMNS: Final = 24

# Spans up to this long read raw readings; longer ones read the 15-minute rollup.
RAW_SPAN: Final = "interval '2 days'"

# What the dashboards read: grant exactly this to Grafana's read-only role.
READ_TABLES: Final[dict[RunMode, tuple[str, ...]]] = {
    mode: (
        "app.sites",
        "app.devices",
        "app.tariffs",
        "app.tariff_versions",
        "monitoring.power_measurements",
        "monitoring.rollup_15m",
        *(
            ("fleet.customers", "fleet.devices", "fleet.rollup_15m")
            if mode is RunMode.ADMIN
            else ()
        ),
    )
    for mode in RunMode
}
COST_FUNCTION: Final = "app.energy_cost_15m(bigint, timestamptz, timestamptz)"


@dataclass(frozen=True)
class DashboardInfo:
    """A provisioned dashboard as the portal's Settings → Grafana lists it."""

    uid: str
    title: str
    slug: str


POWER_OVERVIEW = DashboardInfo("power-overview", "Power overview", "power-overview")
FLEET = DashboardInfo("fleet", "Fleet", "fleet")


def provisioned_dashboards(mode: RunMode) -> list[DashboardInfo]:
    """The dashboards ``provision`` writes in this run mode, in menu order."""
    return [FLEET, POWER_OVERVIEW] if mode is RunMode.ADMIN else [POWER_OVERVIEW]


def slugify(title: str) -> str:
    """Grafana's URL slug of a title ("Power overview" -> "power-overview")."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


# ---------------------------------------------------------------- datasource and provider


def datasource_config(*, sslmode: str = "disable") -> JSON:
    """datasources/portal.yaml: every connection detail is an environment lookup."""
    host, port, name, user, password = (f"${{{var}}}" for var in ENV_VARS)
    return {
        "apiVersion": 1,
        "datasources": [
            {
                "name": DATASOURCE_NAME,
                "type": DATASOURCE_TYPE,
                "uid": DATASOURCE_UID,
                "access": "proxy",
                "url": f"{host}:{port}",
                "user": user,
                "isDefault": True,
                "editable": False,
                "jsonData": {
                    "database": name,
                    "sslmode": sslmode,
                    "postgresVersion": 1500,
                    "timescaledb": False,
                    "maxOpenConns": 10,
                    "maxIdleConns": 2,
                    "connMaxLifetime": 14400,
                },
                "secureJsonData": {"password": password},
            }
        ],
    }


def dashboard_provider_config(
    grafana_provisioning_dir: str = DEFAULT_GRAFANA_PROVISIONING_DIR,
) -> JSON:
    """dashboards/portal.yaml: load the JSON files below, read-only in Grafana's UI."""
    path = f"{grafana_provisioning_dir.rstrip('/')}/dashboards/{DASHBOARDS_SUBDIR}"
    return {
        "apiVersion": 1,
        "providers": [
            {
                "name": "power-portal",
                "orgId": 1,
                "folder": FOLDER_TITLE,
                "folderUid": FOLDER_UID,
                "type": "file",
                "disableDeletion": True,
                "allowUiUpdates": False,
                "updateIntervalSeconds": 60,
                "options": {
                    "path": path,
                    "foldersFromFilesStructure": False,
                },
            }
        ],
    }


# ---------------------------------------------------------------- panel building blocks


def _target(sql: str, *, fmt: str = "time_series", ref: str = "A") -> JSON:
    return {
        "refId": ref,
        "datasource": dict(DATASOURCE_REF),
        "editorMode": "code",
        "format": fmt,
        "rawQuery": True,
        "rawSql": sql.strip(),
    }


def _timeseries(
    title: str,
    sql: str,
    *,
    unit: str,
    grid: tuple[int, int, int, int],
    description: str = "",
    bars: bool = False,
    stacked: bool = False,
    decimals: int | None = None,
    min_interval: str | None = None,
) -> JSON:
    x, y, w, h = grid
    custom: JSON = {
        "drawStyle": "bars" if bars else "line",
        "lineWidth": 1,
        "fillOpacity": 80 if bars else 10,
        "showPoints": "never",
        "spanNulls": False,
        "stacking": {"mode": "normal" if stacked else "none", "group": "A"},
    }
    defaults: JSON = {"unit": unit, "custom": custom}
    if decimals is not None:
        defaults["decimals"] = decimals
    panel: JSON = {
        "type": "timeseries",
        "title": title,
        "description": description,
        "datasource": dict(DATASOURCE_REF),
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": {
            "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
            "tooltip": {"mode": "multi", "sort": "none"},
        },
        "targets": [_target(sql)],
    }
    if min_interval:
        panel["interval"] = min_interval
    return panel


def _table(title: str, sql: str, *, grid: tuple[int, int, int, int], description: str) -> JSON:
    x, y, w, h = grid
    return {
        "type": "table",
        "title": title,
        "description": description,
        "datasource": dict(DATASOURCE_REF),
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": {}, "overrides": []},
        "options": {"showHeader": True, "cellHeight": "sm"},
        "targets": [_target(sql, fmt="table")],
    }


def _query_variable(
    name: str, label: str, sql: str, *, multi: bool = False, include_all: bool = False
) -> JSON:
    return {
        "type": "query",
        "name": name,
        "label": label,
        "datasource": dict(DATASOURCE_REF),
        "query": sql.strip(),
        "definition": sql.strip(),
        "refresh": 1,  # on dashboard load
        "sort": 0,
        "multi": multi,
        "includeAll": include_all,
        "current": {},
        "options": [],
        "hide": 0,
    }


def _dashboard(
    info: DashboardInfo,
    *,
    description: str,
    variables: list[JSON],
    panels: list[JSON],
    time_from: str,
    timezone: str = "browser",
    tags: Iterable[str] = (),
) -> JSON:
    return {
        "uid": info.uid,
        "title": info.title,
        "description": description,
        "tags": ["power-portal", *tags],
        "timezone": timezone,
        "editable": False,
        "graphTooltip": 1,
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "refresh": "1m",
        "time": {"from": time_from, "to": "now"},
        "timepicker": {},
        "annotations": {"list": []},
        "links": [],
        "templating": {"list": variables},
        "panels": [{"id": i, **panel} for i, panel in enumerate(panels, start=1)],
    }


# ---------------------------------------------------------------- power overview


DEVICE_VARIABLE_SQL = """
SELECT d.id AS __value, s.name || ' / ' || d.name AS __text
FROM app.devices d
JOIN app.sites s ON s.id = d.site_id
ORDER BY s.name, d.name
"""


def series_sql(columns: Iterable[tuple[str, str]]) -> str:
    """Averages per Grafana interval: raw readings up to two days, the rollup beyond."""
    pairs = list(columns)
    raw = ", ".join(f'avg({column}) AS "{label}"' for column, label in pairs)
    rolled = ", ".join(f'avg({column}_avg) AS "{label}"' for column, label in pairs)
    span = "$__timeTo()::timestamptz - $__timeFrom()::timestamptz"
    # Grafana SQL from our own column names; Grafana interpolates the variables.
    return f"""
SELECT $__timeGroupAlias(time, $__interval), {raw}
FROM monitoring.power_measurements
WHERE device_id = $device AND $__timeFilter(time) AND {span} <= {RAW_SPAN}
GROUP BY 1
UNION ALL
SELECT $__timeGroupAlias(bucket_start, $__interval), {rolled}
FROM monitoring.rollup_15m
WHERE device_id = $device AND $__timeFilter(bucket_start) AND {span} > {RAW_SPAN}
GROUP BY 1
ORDER BY 1
"""  # noqa: S608


ENERGY_PER_DAY_SQL = """
SELECT date_trunc('day', r.bucket_start AT TIME ZONE s.timezone) AT TIME ZONE s.timezone AS "time",
       sum(r.energy_import_kwh) AS "Import",
       sum(r.energy_export_kwh) AS "Export"
FROM monitoring.rollup_15m r
JOIN app.devices d ON d.id = r.device_id
JOIN app.sites s ON s.id = d.site_id
WHERE r.device_id = $device AND $__timeFilter(r.bucket_start)
GROUP BY 1
ORDER BY 1
"""

COST_PER_DAY_SQL = """
SELECT c.day_start AS "time",
       c.currency || ' ' || coalesce(c.period, 'no period') AS metric,
       round(sum(c.cost)::numeric, 2) AS value
FROM app.energy_cost_15m($device, $__timeFrom(), $__timeTo()) c
GROUP BY 1, 2
ORDER BY 1, 2
"""

_PHASES = ("l1", "l2", "l3")


def power_overview_dashboard() -> JSON:
    """One device: power, voltage, current, PF, energy per day, cost per day."""
    panels = [
        _timeseries(
            "Active power",
            series_sql([("power_kw", "Active power"), ("apparent_power_kva", "Apparent power")]),
            unit="kwatt",
            grid=(0, 0, 24, 8),
            description="Average per interval (kW, and kVA for apparent power).",
        ),
        _timeseries(
            "Voltage (phase to neutral)",
            series_sql([(f"voltage_{p}_v", p.upper()) for p in _PHASES]),
            unit="volt",
            grid=(0, 8, 12, 8),
        ),
        _timeseries(
            "Current",
            series_sql([(f"current_{p}_a", p.upper()) for p in _PHASES]),
            unit="amp",
            grid=(12, 8, 12, 8),
        ),
        _timeseries(
            "Power factor",
            series_sql([("power_factor", "Power factor")]),
            unit="none",
            decimals=3,
            grid=(0, 16, 12, 8),
        ),
        _timeseries(
            "Energy per day",
            ENERGY_PER_DAY_SQL,
            unit="kwatth",
            bars=True,
            grid=(12, 16, 12, 8),
            description="Active energy per local day of the site, from the 15-minute rollup.",
            min_interval="1d",
        ),
        _timeseries(
            "Energy cost per day",
            COST_PER_DAY_SQL,
            unit="none",
            decimals=2,
            bars=True,
            stacked=True,
            grid=(0, 24, 24, 9),
            description=(
                "Energy charges per local day and tariff period, before VAT, from the site's "
                "tariff (app.energy_cost_15m). Days of a public-holiday calendar are priced as "
                "ordinary days; fixed, demand and reactive charges are on the portal's bill."
            ),
            min_interval="1d",
        ),
    ]
    return _dashboard(
        POWER_OVERVIEW,
        description="One meter: power, voltage, current, power factor, energy and cost per day.",
        variables=[_query_variable("device", "Device", DEVICE_VARIABLE_SQL)],
        panels=panels,
        time_from="now-7d",
        tags=["power"],
    )


# ---------------------------------------------------------------- fleet (admin mode)


CUSTOMER_VARIABLE_SQL = """
SELECT id AS __value, name AS __text FROM fleet.customers ORDER BY name
"""

FLEET_POWER_SQL = """
WITH per_bucket AS (
    SELECT customer_id, bucket_start, sum(power_kw_avg) AS kw
    FROM fleet.rollup_15m
    WHERE customer_id IN ($customer) AND $__timeFilter(bucket_start)
    GROUP BY 1, 2
)
SELECT $__timeGroupAlias(p.bucket_start, $__interval), c.name AS metric, avg(p.kw) AS value
FROM per_bucket p
JOIN fleet.customers c ON c.id = p.customer_id
GROUP BY 1, 2
ORDER BY 1, 2
"""

FLEET_ENERGY_SQL = """
SELECT $__timeGroupAlias(r.bucket_start, '1d'), c.name AS metric,
       sum(r.energy_import_kwh) AS value
FROM fleet.rollup_15m r
JOIN fleet.customers c ON c.id = r.customer_id
WHERE r.customer_id IN ($customer) AND $__timeFilter(r.bucket_start)
GROUP BY 1, 2
ORDER BY 1, 2
"""

FLEET_DEVICE_POWER_SQL = """
SELECT $__timeGroupAlias(r.bucket_start, $__interval),
       c.code || ' / ' || coalesce(d.name, 'device ' || r.device_id) AS metric,
       avg(r.power_kw_avg) AS value
FROM fleet.rollup_15m r
JOIN fleet.customers c ON c.id = r.customer_id
LEFT JOIN fleet.devices d ON d.customer_id = r.customer_id AND d.id = r.device_id
WHERE r.customer_id IN ($customer) AND $__timeFilter(r.bucket_start)
GROUP BY 1, 2
ORDER BY 1, 2
"""

FLEET_CUSTOMERS_SQL = """
SELECT c.name AS "Customer", c.code AS "Code", c.active AS "Active",
       c.last_seen_at AS "Last push",
       (SELECT count(*) FROM fleet.devices d WHERE d.customer_id = c.id) AS "Devices",
       (SELECT round(coalesce(sum(r.energy_import_kwh), 0)::numeric, 1)
        FROM fleet.rollup_15m r
        WHERE r.customer_id = c.id AND $__timeFilter(r.bucket_start)) AS "Energy (kWh)"
FROM fleet.customers c
WHERE c.id IN ($customer)
ORDER BY c.name
"""


def fleet_dashboard() -> JSON:
    """Admin mode: the fleet per customer and device (UTC days)."""
    panels = [
        _timeseries(
            "Fleet power per customer",
            FLEET_POWER_SQL,
            unit="kwatt",
            grid=(0, 0, 24, 8),
            description="Sum of the customer's devices, averaged per interval (15-minute rollup).",
            min_interval="15m",
        ),
        _timeseries(
            "Fleet energy per day",
            FLEET_ENERGY_SQL,
            unit="kwatth",
            bars=True,
            stacked=True,
            grid=(0, 8, 12, 9),
            description="Active energy import per UTC day, stacked by customer.",
            min_interval="1d",
        ),
        _timeseries(
            "Power per device",
            FLEET_DEVICE_POWER_SQL,
            unit="kwatt",
            grid=(12, 8, 12, 9),
            min_interval="15m",
        ),
        _table(
            "Customers",
            FLEET_CUSTOMERS_SQL,
            grid=(0, 17, 24, 8),
            description="Energy over the dashboard's time range; last push as the admin saw it.",
        ),
    ]
    return _dashboard(
        FLEET,
        description="The fleet: every customer stack's power and energy.",
        variables=[
            _query_variable(
                "customer", "Customer", CUSTOMER_VARIABLE_SQL, multi=True, include_all=True
            )
        ],
        panels=panels,
        time_from="now-7d",
        timezone="utc",
        tags=["fleet"],
    )


# ---------------------------------------------------------------- files


GENERATED_NOTE = "# Generated by `portal grafana provision`; edits are overwritten.\n"


def _yaml(document: JSON) -> str:
    return GENERATED_NOTE + yaml.safe_dump(document, sort_keys=False, default_flow_style=False)


def _json(document: JSON) -> str:
    return json.dumps(document, indent=2) + "\n"


def dashboard_files(mode: RunMode) -> dict[str, JSON]:
    """The dashboards for this run mode, by file name (relative to the provider's folder)."""
    builders = {POWER_OVERVIEW.uid: power_overview_dashboard, FLEET.uid: fleet_dashboard}
    return {f"{info.uid}.json": builders[info.uid]() for info in provisioned_dashboards(mode)}


ALL_DASHBOARD_FILES: Final = frozenset(f"{info.uid}.json" for info in (POWER_OVERVIEW, FLEET))


def provisioning_files(
    mode: RunMode,
    *,
    grafana_provisioning_dir: str = DEFAULT_GRAFANA_PROVISIONING_DIR,
    sslmode: str = "disable",
) -> dict[str, str]:
    """Every file to write, by path relative to the provisioning directory."""
    files = {
        "datasources/portal.yaml": _yaml(datasource_config(sslmode=sslmode)),
        "dashboards/portal.yaml": _yaml(dashboard_provider_config(grafana_provisioning_dir)),
    }
    for name, dashboard in dashboard_files(mode).items():
        files[f"dashboards/{DASHBOARDS_SUBDIR}/{name}"] = _json(dashboard)
    return files


def stale_files(mode: RunMode) -> list[str]:
    """Dashboards of another run mode that a previous run may have left behind."""
    current = set(dashboard_files(mode))
    return [f"dashboards/{DASHBOARDS_SUBDIR}/{n}" for n in sorted(ALL_DASHBOARD_FILES - current)]


def grant_statements(role: str, mode: RunMode) -> list[str]:
    """SQL giving a read-only role exactly what the dashboards read."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError("the role must be a lower-case PostgreSQL identifier")
    tables = READ_TABLES[mode]
    schemas = sorted({table.split(".")[0] for table in tables})
    return [
        f"GRANT USAGE ON SCHEMA {', '.join(schemas)} TO {role};",
        f"GRANT SELECT ON {', '.join(tables)} TO {role};",
        f"GRANT EXECUTE ON FUNCTION {COST_FUNCTION} TO {role};",
    ]


def write(directory: Path, files: Mapping[str, str]) -> list[Path]:
    """Write the files under ``directory`` (creating folders); the paths written."""
    written: list[Path] = []
    for relative, content in files.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written
