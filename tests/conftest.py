"""Test infrastructure shared by every layer.

- One real PostgreSQL server per test session (the embedded one, in a temp dir), plain:
  without TimescaleDB even where it is installed.
- The tests marked ``timescale`` get a second server with TimescaleDB preloaded
  (``tests/support/timescale.py``; they skip where it is not installed).
- A template database migrated once; each test gets a fresh copy of it
  (``CREATE DATABASE … TEMPLATE``), which takes milliseconds.
- ``live_server``: the real app served by uvicorn on a free loopback port, in a
  thread, on the test's own database; ``client`` speaks real HTTP to it.
- ``portal_process``: a real ``portal serve`` subprocess, for restarts and kills.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql as pgsql
from sqlalchemy.engine import URL

from power_portal.db.embedded import EmbeddedPostgres
from power_portal.db.migrate import upgrade_to_head
from power_portal.settings import Settings
from tests.support.database import TEMPLATE_DB, psycopg_conninfo, url_string
from tests.support.mosquitto import mosquitto  # noqa: F401 - the broker fixture
from tests.support.portal import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    USER_PASSWORD,
    Credentials,
    LiveServer,
    MeteredDevice,
    PortalProcess,
    login_client,
)
from tests.support.smtp import (  # noqa: F401 - the SMTP server and webhook receiver fixtures
    make_smtp_server_fixture,
    smtp_server_fixture,
    webhook_receiver_fixture,
)
from tests.support.timescale import (  # noqa: F401 - the TimescaleDB fixtures
    _timescale_template,
    make_timescale_database,
    timescale_db_url,
    timescale_server,
    timescale_summary,
)

_OWN_BASETEMP = pytest.StashKey[Path]()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """A temp dir of this run's own, unless ``--basetemp`` names one.

    pytest's numbered dirs (``pytest-of-root/pytest-N``) keep only the last three, so a run
    started while another is going deletes the older run's dirs — its PostgreSQL included.
    A dir of our own is safe; it is removed when the run passes and kept when it fails.
    """
    if config.option.basetemp is None:
        config.option.basetemp = tempfile.mkdtemp(prefix="pytest-portal-")
        config.stash[_OWN_BASETEMP] = Path(config.option.basetemp)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    timescale_summary(terminalreporter)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    own = session.config.stash.get(_OWN_BASETEMP, None)
    if own is not None and exitstatus == 0:
        shutil.rmtree(own, ignore_errors=True)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No PORTAL_* variable or portal.toml of the developer's leaks into a test; but
    PORTAL_STATIC_DIR, which points the browser tests at another build of the front end."""
    for name in list(os.environ):
        if name.startswith("PORTAL_") and name != "PORTAL_STATIC_DIR":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    """The plain PostgreSQL (no TimescaleDB preloaded, even where it is installed)."""
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg"), database=TEMPLATE_DB, timescale=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def template_url(pg_server: EmbeddedPostgres) -> URL:
    url = pg_server.url_for(TEMPLATE_DB)
    upgrade_to_head(url)
    return url


@pytest.fixture
def make_database(pg_server: EmbeddedPostgres, template_url: URL) -> Iterator[Callable[[], URL]]:
    """Factory: fresh, fully migrated databases (copies of the template), dropped afterwards."""
    made: list[str] = []
    admin = psycopg_conninfo(pg_server.url_for("postgres"))

    def make() -> URL:
        name = f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(
                pgsql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    pgsql.Identifier(name), pgsql.Identifier(TEMPLATE_DB)
                )
            )
        made.append(name)
        return pg_server.url_for(name)

    yield make
    with psycopg.connect(**admin, autocommit=True) as conn:
        for name in made:
            conn.execute(
                pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name))
            )


@pytest.fixture
def db_url(make_database: Callable[[], URL]) -> URL:
    """A fresh, fully migrated database for this test alone."""
    return make_database()


@pytest.fixture
def settings(db_url: URL, tmp_path: Path) -> Settings:
    """The test's settings: its own database, data dir, and a known first-admin password."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    return Settings(
        database_url=url_string(db_url), data_dir=data_dir, admin_password=ADMIN_PASSWORD
    )


@pytest.fixture
def live_server(settings: Settings) -> Iterator[LiveServer]:
    server = LiveServer(settings)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    """Anonymous real-HTTP client."""
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        yield http


@pytest.fixture
def admin_client(live_server: LiveServer) -> Iterator[httpx.Client]:
    http = login_client(live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    yield http
    http.close()


@pytest.fixture
def make_user(admin_client: httpx.Client) -> Callable[..., Credentials]:
    """Factory: create a user through the admin API."""
    counter = iter(range(1, 1_000_000))

    def make(
        role: str = "viewer",
        email: str | None = None,
        name: str | None = None,
        password: str = USER_PASSWORD,
    ) -> Credentials:
        email = email or f"{role}{next(counter)}@example.com"
        response = admin_client.post(
            "/api/users",
            json={
                "email": email,
                "name": name or email.split("@")[0],
                "password": password,
                "role": role,
            },
        )
        assert response.status_code == 201, response.text
        return Credentials(response.json()["id"], email, password, role)

    return make


@pytest.fixture
def viewer(make_user: Callable[..., Credentials]) -> Credentials:
    return make_user("viewer", email="viewer@example.com", name="Vera Viewer")


@pytest.fixture
def viewer_client(live_server: LiveServer, viewer: Credentials) -> Iterator[httpx.Client]:
    http = login_client(live_server.url, viewer.email, viewer.password)
    yield http
    http.close()


@pytest.fixture
def portal_process(tmp_path: Path) -> Iterator[Callable[..., PortalProcess]]:
    """Factory: ``portal_process(PORTAL_X="…")`` returns a not-yet-started process."""
    made: list[PortalProcess] = []

    def make(**env_overrides: str) -> PortalProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
        env.setdefault("PORTAL_DATA_DIR", str(tmp_path / "portal-data"))
        env.update(env_overrides)
        proc = PortalProcess(env=env, log_path=tmp_path / f"portal-{len(made)}.log")
        made.append(proc)
        return proc

    yield make
    for proc in made:
        if proc.process is not None and proc.process.poll() is None:
            proc.process.terminate()
            try:
                proc.process.wait(30)
            except subprocess.TimeoutExpired:
                proc.process.kill()


@pytest.fixture
def make_device(admin_client: httpx.Client) -> Callable[..., MeteredDevice]:
    """Factory: a site (in ``timezone``) with one device and an ingest token, via the API."""
    counter = iter(range(1, 1_000_000))

    def make(timezone: str = "Africa/Johannesburg", site_id: int | None = None) -> MeteredDevice:
        n = next(counter)
        if site_id is None:
            site = admin_client.post("/api/sites", json={"name": f"Site {n}", "timezone": timezone})
            assert site.status_code == 201, site.text
            site_id = int(site.json()["id"])
        device = admin_client.post(
            f"/api/sites/{site_id}/devices",
            json={"name": f"Meter {n}", "serial": f"ACV-{n:06d}", "model": "Acuvim II"},
        )
        assert device.status_code == 201, device.text
        device_id = int(device.json()["id"])
        token = admin_client.post(f"/api/devices/{device_id}/tokens", json={})
        assert token.status_code == 201, token.text
        return MeteredDevice(site_id, device_id, token.json()["token"])

    return make
