"""The app over real HTTP: health, OpenAPI, the SPA and its fallback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL

from power_portal import __version__
from power_portal.db.embedded import EmbeddedPostgres
from power_portal.settings import Settings
from tests.support.database import url_string
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer, login_client


def test_health_is_green(client: httpx.Client) -> None:
    """Anyone learns the status and the database; not the run mode nor the version."""
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["cache-control"] == "no-store"
    # a session cookie that is no session: still anonymous
    client.cookies.set("portal_session", "not-a-session")
    assert client.get("/api/health").json() == {"status": "ok", "database": "ok"}


def test_health_tells_a_signed_in_user_the_run_mode_and_version(
    viewer_client: httpx.Client, admin_client: httpx.Client
) -> None:
    for http in (viewer_client, admin_client):
        response = http.get("/api/health")
        assert response.status_code == 200
        assert response.json() == {
            "status": "ok",
            "database": "ok",
            "run_mode": "standalone",
            "version": __version__,
        }
    viewer_client.post("/api/auth/logout")
    assert viewer_client.get("/api/health").json() == {"status": "ok", "database": "ok"}


def test_health_reports_the_run_mode(db_url: URL, tmp_path: Path) -> None:
    server = LiveServer(
        Settings(
            database_url=url_string(db_url),
            data_dir=tmp_path,
            run_mode="admin",
            admin_password=ADMIN_PASSWORD,
        )
    )
    server.start()
    try:
        assert "run_mode" not in httpx.get(f"{server.url}/api/health").json()
        admin = login_client(server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
        assert admin.get("/api/health").json()["run_mode"] == "admin"
        admin.close()
    finally:
        server.stop()


def test_health_is_503_when_the_database_is_gone(tmp_path: Path) -> None:
    """A database of its own, stopped under the running app, then started again."""
    pg = EmbeddedPostgres(tmp_path / "own-pg", database="portal")
    url = pg.start()
    server = LiveServer(Settings(database_url=url_string(url), data_dir=tmp_path))
    server.start()
    try:
        assert httpx.get(f"{server.url}/api/health").status_code == 200
        pg.stop()
        response = httpx.get(f"{server.url}/api/health", timeout=20)
        assert response.status_code == 503
        assert response.json() == {"status": "degraded", "database": "unavailable"}
        pg.start()
        assert httpx.get(f"{server.url}/api/health", timeout=20).status_code == 200
    finally:
        server.stop()
        pg.stop()


def test_openapi_document_lists_health(client: httpx.Client) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Power Portal"
    assert document["paths"]["/api/health"]["get"]["operationId"] == "health"
    # the SPA catch-all is not part of the API
    assert not any(path.startswith("/{") for path in document["paths"])


@pytest.fixture
def built_spa(tmp_path: Path) -> Path:
    static = tmp_path / "static"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text("<!doctype html><title>spa-index</title>")
    (static / "assets" / "app-1234.js").write_text("console.log('app')")
    (static / "favicon.svg").write_text("<svg/>")
    return static


@pytest.fixture
def spa_client(db_url: URL, tmp_path: Path, built_spa: Path) -> Iterator[httpx.Client]:
    server = LiveServer(
        Settings(database_url=url_string(db_url), data_dir=tmp_path, static_dir=built_spa)
    )
    server.start()
    try:
        with httpx.Client(base_url=server.url) as http:
            yield http
    finally:
        server.stop()


def test_spa_index_and_client_side_routes(spa_client: httpx.Client) -> None:
    for path in ("/", "/settings", "/sites/42/devices"):
        response = spa_client.get(path)
        assert response.status_code == 200, path
        assert "spa-index" in response.text
        assert response.headers["cache-control"] == "no-cache"


def test_spa_assets_are_cached_forever(spa_client: httpx.Client) -> None:
    response = spa_client.get("/assets/app-1234.js")
    assert response.status_code == 200
    assert response.text == "console.log('app')"
    assert "immutable" in response.headers["cache-control"]
    assert spa_client.get("/assets/missing.js").status_code == 404


def test_spa_top_level_files(spa_client: httpx.Client) -> None:
    response = spa_client.get("/favicon.svg")
    assert response.text == "<svg/>"


def test_api_paths_are_never_swallowed_by_the_spa(spa_client: httpx.Client) -> None:
    for path in ("/api", "/api/nope", "/api/health/extra"):
        response = spa_client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/json"
        assert "spa-index" not in response.text
    assert spa_client.get("/api/health").json()["status"] == "ok"


def test_no_path_traversal_out_of_the_static_dir(spa_client: httpx.Client, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("top-secret")
    response = spa_client.get("/..%2Fsecret.txt")
    assert "top-secret" not in response.text


def test_unbuilt_front_end_explains_itself(db_url: URL, tmp_path: Path) -> None:
    empty = tmp_path / "no-build"
    empty.mkdir()
    server = LiveServer(
        Settings(database_url=url_string(db_url), data_dir=tmp_path, static_dir=empty)
    )
    server.start()
    try:
        response = httpx.get(f"{server.url}/dashboard")
        assert response.status_code == 200
        assert "has not been built" in response.text
        assert "make frontend" in response.text
    finally:
        server.stop()
