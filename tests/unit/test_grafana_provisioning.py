"""The generated Grafana provisioning: the structure Grafana expects, pinned uids, no secrets.

The dashboards are checked against a JSON Schema of what Grafana's dashboard
loader needs (uid, title, schemaVersion, templating.list, panels with id, type,
gridPos and targets), then against rules a schema cannot say: every datasource
reference is the provisioned datasource, every ``$variable`` a query uses is
defined, panel ids are unique, panels fit the 24-column grid without overlapping,
and every table a query reads is in the read-only role's grants. Whether the SQL
runs on the real schema is tests/integration/test_grafana_sql.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml
from typer.testing import CliRunner

from power_portal.cli import app as cli_app
from power_portal.grafana import provisioning
from power_portal.grafana.provisioning import (
    DATASOURCE_TYPE,
    DATASOURCE_UID,
    ENV_VARS,
    READ_TABLES,
    dashboard_files,
    provisioning_files,
)
from power_portal.settings import RunMode

DATASOURCE_REF_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "uid"],
    "properties": {"type": {"const": DATASOURCE_TYPE}, "uid": {"type": "string"}},
}
TARGET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["refId", "datasource", "rawSql", "format", "rawQuery"],
    "properties": {
        "refId": {"type": "string", "pattern": "^[A-Z]$"},
        "datasource": DATASOURCE_REF_SCHEMA,
        "rawSql": {"type": "string", "minLength": 10},
        "format": {"enum": ["time_series", "table"]},
        "rawQuery": {"const": True},
        "editorMode": {"enum": ["code", "builder"]},
    },
}
GRID_POS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["x", "y", "w", "h"],
    "additionalProperties": False,
    "properties": {
        "x": {"type": "integer", "minimum": 0, "maximum": 23},
        "y": {"type": "integer", "minimum": 0},
        "w": {"type": "integer", "minimum": 1, "maximum": 24},
        "h": {"type": "integer", "minimum": 1},
    },
}
PANEL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "type", "title", "gridPos", "datasource", "targets", "fieldConfig"],
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "type": {"enum": ["timeseries", "table", "stat", "barchart", "gauge"]},
        "title": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "gridPos": GRID_POS_SCHEMA,
        "datasource": DATASOURCE_REF_SCHEMA,
        "targets": {"type": "array", "minItems": 1, "items": TARGET_SCHEMA},
        "fieldConfig": {
            "type": "object",
            "required": ["defaults", "overrides"],
            "properties": {
                "defaults": {"type": "object"},
                "overrides": {"type": "array"},
            },
        },
        "options": {"type": "object"},
        "interval": {"type": "string", "pattern": r"^\d+[smhdw]$"},
    },
}
VARIABLE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "name", "datasource", "query", "refresh"],
    "properties": {
        "type": {"const": "query"},
        "name": {"type": "string", "pattern": r"^[a-z][a-z0-9_]*$"},
        "label": {"type": "string"},
        "datasource": DATASOURCE_REF_SCHEMA,
        "query": {"type": "string", "minLength": 10},
        "refresh": {"enum": [1, 2]},
        "multi": {"type": "boolean"},
        "includeAll": {"type": "boolean"},
    },
}
DASHBOARD_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": [
        "uid",
        "title",
        "schemaVersion",
        "panels",
        "templating",
        "time",
        "editable",
        "timezone",
    ],
    "properties": {
        "uid": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$"},
        "title": {"type": "string", "minLength": 1},
        "schemaVersion": {"type": "integer", "minimum": 36},
        "version": {"type": "integer"},
        "editable": {"type": "boolean"},
        "timezone": {"enum": ["browser", "utc", ""]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "refresh": {"type": "string"},
        "time": {
            "type": "object",
            "required": ["from", "to"],
            "properties": {"from": {"type": "string"}, "to": {"type": "string"}},
        },
        "templating": {
            "type": "object",
            "required": ["list"],
            "properties": {"list": {"type": "array", "items": VARIABLE_SCHEMA}},
        },
        "annotations": {"type": "object"},
        "panels": {"type": "array", "minItems": 1, "items": PANEL_SCHEMA},
    },
}
DATASOURCE_FILE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["apiVersion", "datasources"],
    "properties": {
        "apiVersion": {"const": 1},
        "datasources": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name", "type", "uid", "access", "url", "user", "jsonData"],
                "properties": {
                    "type": {"const": DATASOURCE_TYPE},
                    "uid": {"const": DATASOURCE_UID},
                    "access": {"const": "proxy"},
                    "jsonData": {
                        "type": "object",
                        "required": ["database", "sslmode"],
                        "properties": {
                            "sslmode": {"enum": ["disable", "require", "verify-ca", "verify-full"]}
                        },
                    },
                    "secureJsonData": {
                        "type": "object",
                        "required": ["password"],
                        "properties": {"password": {"type": "string"}},
                        "additionalProperties": False,
                    },
                },
            },
        },
    },
}
PROVIDER_FILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "providers"],
    "properties": {
        "apiVersion": {"const": 1},
        "providers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "type", "options"],
                "properties": {
                    "type": {"const": "file"},
                    "options": {"type": "object", "required": ["path"]},
                },
            },
        },
    },
}

# Grafana's PostgreSQL macros the dashboards may use (the SQL test expands exactly these).
KNOWN_MACROS = {"__timeFilter", "__timeFrom", "__timeTo", "__timeGroupAlias", "__interval"}
_VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]")
_TABLE = re.compile(r"\b(?:FROM|JOIN)\s+([a-z_]+\.[a-z_0-9]+)", re.IGNORECASE)

ALL_MODES = list(RunMode)


def all_dashboards() -> Iterator[tuple[RunMode, str, dict[str, Any]]]:
    for mode in ALL_MODES:
        for name, dashboard in dashboard_files(mode).items():
            yield mode, name, dashboard


def queries_of(dashboard: dict[str, Any]) -> Iterator[str]:
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            yield target["rawSql"]
    for variable in dashboard["templating"]["list"]:
        yield variable["query"]


def referenced_names(sql: str) -> set[str]:
    return {next(g for g in match.groups() if g) for match in _VARIABLE.finditer(sql)}


DASHBOARDS = list(all_dashboards())
DASHBOARD_IDS = [f"{mode.value}-{name}" for mode, name, _ in DASHBOARDS]


@pytest.mark.parametrize(("mode", "name", "dashboard"), DASHBOARDS, ids=DASHBOARD_IDS)
def test_dashboards_match_the_structure_grafana_loads(
    mode: RunMode, name: str, dashboard: dict[str, Any]
) -> None:
    errors = [error.message for error in jsonschema_rs.iter_errors(DASHBOARD_SCHEMA, dashboard)]
    assert errors == []
    assert name == f"{dashboard['uid']}.json"
    assert dashboard["editable"] is False  # provisioned: changes belong in the generator


@pytest.mark.parametrize(("mode", "name", "dashboard"), DASHBOARDS, ids=DASHBOARD_IDS)
def test_every_datasource_reference_is_the_provisioned_one(
    mode: RunMode, name: str, dashboard: dict[str, Any]
) -> None:
    refs = [panel["datasource"] for panel in dashboard["panels"]]
    refs += [t["datasource"] for panel in dashboard["panels"] for t in panel["targets"]]
    refs += [v["datasource"] for v in dashboard["templating"]["list"]]
    assert refs
    assert all(ref == {"type": DATASOURCE_TYPE, "uid": DATASOURCE_UID} for ref in refs), refs


@pytest.mark.parametrize(("mode", "name", "dashboard"), DASHBOARDS, ids=DASHBOARD_IDS)
def test_every_variable_a_query_uses_is_defined(
    mode: RunMode, name: str, dashboard: dict[str, Any]
) -> None:
    defined = {variable["name"] for variable in dashboard["templating"]["list"]}
    for sql in queries_of(dashboard):
        names = referenced_names(sql)
        macros = {n for n in names if n.startswith("__")}
        assert macros <= KNOWN_MACROS, (macros - KNOWN_MACROS, sql)
        assert names - macros <= defined, (names - macros - defined, sql)
    # and every variable is used by some panel
    used = set().union(
        *(referenced_names(t["rawSql"]) for p in dashboard["panels"] for t in p["targets"])
    )
    assert defined <= used


@pytest.mark.parametrize(("mode", "name", "dashboard"), DASHBOARDS, ids=DASHBOARD_IDS)
def test_panels_have_unique_ids_and_fit_the_grid_without_overlap(
    mode: RunMode, name: str, dashboard: dict[str, Any]
) -> None:
    panels = dashboard["panels"]
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids))
    cells: set[tuple[int, int]] = set()
    for panel in panels:
        pos = panel["gridPos"]
        assert pos["x"] + pos["w"] <= provisioning.GRID_COLUMNS, panel["title"]
        mine = {
            (x, y)
            for x in range(pos["x"], pos["x"] + pos["w"])
            for y in range(pos["y"], pos["y"] + pos["h"])
        }
        assert not cells & mine, f"{panel['title']} overlaps another panel"
        cells |= mine
        refs = [target["refId"] for target in panel["targets"]]
        assert len(refs) == len(set(refs))


@pytest.mark.parametrize(("mode", "name", "dashboard"), DASHBOARDS, ids=DASHBOARD_IDS)
def test_queries_read_only_what_the_read_only_role_is_granted(
    mode: RunMode, name: str, dashboard: dict[str, Any]
) -> None:
    granted = set(READ_TABLES[mode]) | {"app.energy_cost_15m"}
    for sql in queries_of(dashboard):
        tables = {t.lower() for t in _TABLE.findall(sql)}
        assert tables, sql
        assert tables <= granted, (tables - granted, sql)


def test_power_overview_has_the_panels_the_issue_asks_for() -> None:
    dashboard = provisioning.power_overview_dashboard()
    assert dashboard["uid"] == "power-overview"
    titles = " | ".join(panel["title"].lower() for panel in dashboard["panels"])
    for word in ("power", "voltage", "current", "power factor", "energy per day", "cost per day"):
        assert word in titles
    assert [v["name"] for v in dashboard["templating"]["list"]] == ["device"]
    sql = "\n".join(queries_of(dashboard))
    assert "$__timeFilter(" in sql
    assert "$__timeGroupAlias(" in sql
    assert "app.devices" in dashboard["templating"]["list"][0]["query"]


def test_fleet_dashboard_only_in_admin_mode() -> None:
    assert set(dashboard_files(RunMode.ADMIN)) == {"power-overview.json", "fleet.json"}
    for mode in (RunMode.STANDALONE, RunMode.CLIENT):
        assert set(dashboard_files(mode)) == {"power-overview.json"}
    fleet = provisioning.fleet_dashboard()
    (customer,) = fleet["templating"]["list"]
    assert customer["name"] == "customer"
    assert "fleet.customers" in customer["query"]


@pytest.mark.parametrize("mode", ALL_MODES)
def test_datasource_file_pins_the_uid_and_holds_no_secret(mode: RunMode) -> None:
    files = provisioning_files(mode, sslmode="require")
    document = yaml.safe_load(files["datasources/portal.yaml"])
    assert [e.message for e in jsonschema_rs.iter_errors(DATASOURCE_FILE_SCHEMA, document)] == []
    (source,) = document["datasources"]
    assert source["uid"] == DATASOURCE_UID
    assert source["jsonData"]["sslmode"] == "require"
    # every connection detail is a Grafana environment lookup, nothing literal
    lookups = {
        "url": "${GF_PORTAL_DB_HOST}:${GF_PORTAL_DB_PORT}",
        "user": "${GF_PORTAL_DB_USER}",
    }
    for key, value in lookups.items():
        assert source[key] == value
    assert source["jsonData"]["database"] == "${GF_PORTAL_DB_NAME}"
    assert source["secureJsonData"] == {"password": "${GF_PORTAL_DB_PASSWORD}"}
    assert "password" not in source  # the plain (deprecated) field would be stored unencrypted
    text = files["datasources/portal.yaml"]
    for env in re.findall(r"\$\{(\w+)\}", text):
        assert env in ENV_VARS
    # the only "$" in any provisioning YAML is an environment lookup (Grafana expands them)
    for path, content in files.items():
        if path.endswith(".yaml"):
            assert re.sub(r"\$\{GF_PORTAL_DB_[A-Z]+\}", "", content).count("$") == 0, path


@pytest.mark.parametrize("mode", ALL_MODES)
def test_provider_points_at_the_written_dashboards(mode: RunMode) -> None:
    files = provisioning_files(mode, grafana_provisioning_dir="/grafana/prov/")
    provider = yaml.safe_load(files["dashboards/portal.yaml"])
    assert [e.message for e in jsonschema_rs.iter_errors(PROVIDER_FILE_SCHEMA, provider)] == []
    path = provider["providers"][0]["options"]["path"]
    assert path == "/grafana/prov/dashboards/portal"
    written = {p for p in files if p.endswith(".json")}
    assert written == {f"dashboards/portal/{name}" for name in dashboard_files(mode)}
    for relative in written:
        assert json.loads(files[relative])["uid"]


def test_grants_are_exactly_the_read_tables() -> None:
    statements = provisioning.grant_statements("grafana_reader", RunMode.ADMIN)
    assert statements[0] == "GRANT USAGE ON SCHEMA app, fleet, monitoring TO grafana_reader;"
    assert "fleet.rollup_15m" in statements[1]
    assert "app.energy_cost_15m(bigint, timestamptz, timestamptz)" in statements[2]
    standalone = "\n".join(provisioning.grant_statements("reader", RunMode.STANDALONE))
    assert "fleet." not in standalone
    assert "identity" not in standalone  # never the users and sessions
    with pytest.raises(ValueError, match="identifier"):
        provisioning.grant_statements("x; DROP TABLE y", RunMode.ADMIN)


def test_cli_writes_the_files_and_drops_another_modes_dashboards(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "provisioning"
    result = runner.invoke(cli_app, ["grafana", "provision", str(target), "--mode", "admin"])
    assert result.exit_code == 0, result.output
    assert (target / "dashboards/portal/fleet.json").is_file()
    assert "written to" in result.output
    assert "wrote" in result.output

    result = runner.invoke(cli_app, ["grafana", "provision", str(target), "--mode", "client"])
    assert result.exit_code == 0, result.output
    assert not (target / "dashboards/portal/fleet.json").exists()
    assert "removed" in result.output
    written = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert written == [
        "dashboards/portal.yaml",
        "dashboards/portal/power-overview.json",
        "datasources/portal.yaml",
    ]


def test_cli_defaults_to_the_settings_run_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from power_portal.settings import get_settings

    monkeypatch.setenv("PORTAL_RUN_MODE", "admin")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli_app, ["grafana", "provision", str(tmp_path)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dashboards/portal/fleet.json").is_file()
