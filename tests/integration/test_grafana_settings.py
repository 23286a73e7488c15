"""Settings → Grafana over HTTP: defaults from the environment, validation naming the field,
viewers read, only admins write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from power_portal.settings import Settings
from tests.support.database import url_string
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer, login_client

POWER = {"title": "Power overview", "uid": "power-overview", "slug": "power-overview"}


def test_unset_means_not_configured_with_the_provisioned_dashboards_offered(
    admin_client: httpx.Client,
) -> None:
    body = admin_client.get("/api/grafana/settings").json()
    assert body == {
        "base_url": None,
        "dashboards": [],
        "configured": False,
        "saved": False,
        "provisioned": [{**POWER, "height": None}],
    }


def test_portal_grafana_url_is_the_default_with_the_provisioned_dashboards(
    db_url: URL, tmp_path: Path
) -> None:
    server = LiveServer(
        Settings(
            database_url=url_string(db_url),
            data_dir=tmp_path,
            admin_password=ADMIN_PASSWORD,
            grafana_url="/grafana/",
            run_mode="admin",
        )
    )
    server.start()
    try:
        http = login_client(server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
        body = http.get("/api/grafana/settings").json()
        assert body["base_url"] == "/grafana"
        assert [d["uid"] for d in body["dashboards"]] == ["fleet", "power-overview"]
        assert body["configured"] is True
        assert body["saved"] is False
        http.close()
    finally:
        server.stop()


def test_admin_saves_and_a_viewer_reads(
    admin_client: httpx.Client, viewer_client: httpx.Client
) -> None:
    update = {
        "base_url": "/grafana/",
        "dashboards": [
            {"title": "Plant floor", "uid": "abc_DEF-1", "height": 900},
            POWER,
        ],
    }
    saved = admin_client.put("/api/grafana/settings", json=update)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["base_url"] == "/grafana"  # the trailing slash is dropped
    assert body["dashboards"] == [
        {"title": "Plant floor", "uid": "abc_DEF-1", "slug": "plant-floor", "height": 900},
        {**POWER, "height": None},
    ]
    assert body["configured"] is True
    assert body["saved"] is True
    assert viewer_client.get("/api/grafana/settings").json() == body
    assert viewer_client.put("/api/grafana/settings", json=update).status_code == 403

    # switched off again: no base URL
    off = admin_client.put("/api/grafana/settings", json={"base_url": None, "dashboards": []})
    assert off.json()["configured"] is False
    assert off.json()["saved"] is True


@pytest.mark.parametrize(
    ("body", "loc", "message"),
    [
        ({"base_url": "javascript:alert(1)"}, ["body", "base_url"], "path on this site"),
        ({"base_url": "//evil.example.com"}, ["body", "base_url"], "path on this site"),
        ({"base_url": "https://user:pw@grafana.example"}, ["body", "base_url"], "no user"),
        ({"base_url": "/grafana/../api"}, ["body", "base_url"], "'..'"),
        ({"base_url": "/"}, ["body", "base_url"], "own root"),
        ({"base_url": "/gra fana"}, ["body", "base_url"], "path on this site"),
        (
            {"base_url": "/grafana", "dashboards": [{"title": "x", "uid": "a b"}]},
            ["body", "dashboards", 0, "uid"],
            "letters, digits",
        ),
        (
            {"base_url": "/grafana", "dashboards": [{"title": "x", "uid": "u", "slug": "A/B"}]},
            ["body", "dashboards", 0, "slug"],
            "lower-case",
        ),
        (
            {"base_url": "/grafana", "dashboards": [{"title": " ", "uid": "u"}]},
            ["body", "dashboards", 0, "title"],
            "at least 1",
        ),
        (
            {"base_url": "/grafana", "dashboards": [{"title": "x", "uid": "u", "height": 50}]},
            ["body", "dashboards", 0, "height"],
            "greater than or equal to 200",
        ),
        (
            {
                "base_url": "/grafana",
                "dashboards": [{"title": "a", "uid": "u"}, {"title": "b", "uid": "u"}],
            },
            ["body", "dashboards"],
            "listed twice (dashboards 1 and 2)",
        ),
    ],
)
def test_invalid_settings_are_refused_naming_the_field(
    admin_client: httpx.Client, body: dict[str, Any], loc: list[Any], message: str
) -> None:
    body = {"dashboards": [], **body}
    response = admin_client.put("/api/grafana/settings", json=body)
    assert response.status_code == 422, response.text
    problems = response.json()["detail"]
    assert any(p["loc"] == loc and message in p["msg"] for p in problems), problems
    assert admin_client.get("/api/grafana/settings").json()["saved"] is False


def test_absolute_urls_are_accepted(admin_client: httpx.Client) -> None:
    response = admin_client.put(
        "/api/grafana/settings",
        json={"base_url": "https://grafana.example.com:3000/sub/", "dashboards": [POWER]},
    )
    assert response.status_code == 200, response.text
    assert response.json()["base_url"] == "https://grafana.example.com:3000/sub"
