"""Test infrastructure shared by every layer.

- One real PostgreSQL server per test session (the embedded one, in a temp dir).
- A template database migrated once; each test gets a fresh copy of it
  (``CREATE DATABASE … TEMPLATE``), which takes milliseconds.
- ``live_server``: the real app served by uvicorn on a free loopback port, in a
  thread, on the test's own database; ``client`` speaks real HTTP to it.
- ``portal_process``: a real ``portal serve`` subprocess, for restarts and kills.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import uvicorn
from psycopg import sql as pgsql
from sqlalchemy.engine import URL

from power_portal.app import create_app
from power_portal.db.embedded import EmbeddedPostgres
from power_portal.db.migrate import upgrade_to_head
from power_portal.settings import Settings
from tests.support.mosquitto import mosquitto  # noqa: F401 - the broker fixture

REPO_ROOT = Path(__file__).resolve().parent.parent
PORTAL_BIN = Path(sys.executable).parent / "portal"
TEMPLATE_DB = "portal_template"


def url_string(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def psycopg_conninfo(url: URL) -> dict[str, Any]:
    """Keyword arguments for psycopg.connect from a SQLAlchemy URL."""
    args: dict[str, Any] = {"dbname": url.database, "user": url.username}
    if url.password:
        args["password"] = url.password
    host = url.host or url.query.get("host")
    if host:
        args["host"] = host
    if url.port:
        args["port"] = url.port
    return args


def sql(db_url: URL, statement: str, *params: object) -> list[tuple[object, ...]]:
    """Run one statement on a test database, outside the app (for set-up and checks)."""
    with psycopg.connect(**psycopg_conninfo(db_url), autocommit=True) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def wait_for_rollups(db_url: URL, timeout: float = 15) -> None:
    """Until a running portal's rollup worker has drained the rollup log."""
    deadline = time.monotonic() + timeout
    while sql(db_url, "SELECT count(*) FROM monitoring.rollup_pending") != [(0,)]:
        if time.monotonic() > deadline:
            raise TimeoutError(f"rollup log not drained within {timeout} s")
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No PORTAL_* variable or portal.toml of the developer's leaks into a test."""
    for name in list(os.environ):
        if name.startswith("PORTAL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg"), database=TEMPLATE_DB)
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


ADMIN_EMAIL = "admin@localhost"
ADMIN_PASSWORD = "admin-test-password-1"
USER_PASSWORD = "user-test-password-1"


@pytest.fixture
def settings(db_url: URL, tmp_path: Path) -> Settings:
    """The test's settings: its own database, data dir, and a known first-admin password."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    return Settings(
        database_url=url_string(db_url), data_dir=data_dir, admin_password=ADMIN_PASSWORD
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    """The app served over real HTTP on loopback, in a background thread."""

    settings: Settings
    port: int = field(default_factory=free_port)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        config = uvicorn.Config(
            create_app(self.settings),
            host="127.0.0.1",
            port=self.port,
            log_config=None,
            lifespan="on",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the live server exited during start-up")
            if time.monotonic() > deadline:
                raise TimeoutError("the live server did not start within 30 s")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=15)


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


def login_client(base_url: str, email: str, password: str) -> httpx.Client:
    """A client signed in by the real login endpoint, sending the CSRF header like the SPA."""
    http = httpx.Client(base_url=base_url, timeout=30)
    response = http.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    http.headers["X-CSRF-Token"] = http.cookies["portal_csrf"]
    return http


@pytest.fixture
def admin_client(live_server: LiveServer) -> Iterator[httpx.Client]:
    http = login_client(live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    yield http
    http.close()


@dataclass(frozen=True)
class Credentials:
    id: int
    email: str
    password: str
    role: str


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


@dataclass
class PortalProcess:
    """A real ``portal serve`` process."""

    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, wait: bool = True, timeout: float = 60) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(PORTAL_BIN), "serve", "--port", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.env.get("PORTAL_TEST_CWD", str(REPO_ROOT)),
        )
        if wait:
            self.wait_healthy(timeout)

    def wait_healthy(self, timeout: float = 60) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"portal exited with {self.process.returncode}:\n{self.log()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise TimeoutError(f"portal not healthy within {timeout} s:\n{self.log()}")

    def terminate(self, timeout: float = 30) -> bool:
        """SIGTERM; True when the portal shut down gracefully.

        Uvicorn re-raises the signal after its graceful shutdown, so the exit
        status is -SIGTERM either way; the log tells a clean stop apart.
        """
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout)
        return "portal.stopped" in self.log()

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


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


@dataclass(frozen=True)
class MeteredDevice:
    site_id: int
    device_id: int
    token: str


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


def ingest(base_url: str, token: str, rows: list[dict[str, Any]], **kwargs: Any) -> httpx.Response:
    return httpx.post(
        f"{base_url}/api/ingest/measurements",
        json={"measurements": rows},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
        **kwargs,
    )
