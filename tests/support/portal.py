"""A portal under test: served in-process (``LiveServer``) or as a real ``portal serve``
process (``PortalProcess``), the seeded credentials, and clients that speak to it over HTTP."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uvicorn

from power_portal.app import create_app
from power_portal.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
PORTAL_BIN = Path(sys.executable).parent / "portal"

ADMIN_EMAIL = "admin@localhost"
ADMIN_PASSWORD = "admin-test-password-1"
USER_PASSWORD = "user-test-password-1"


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


def login_client(base_url: str, email: str, password: str) -> httpx.Client:
    """A client signed in by the real login endpoint, sending the CSRF header like the SPA."""
    http = httpx.Client(base_url=base_url, timeout=30)
    response = http.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    http.headers["X-CSRF-Token"] = http.cookies["portal_csrf"]
    return http


@dataclass(frozen=True)
class Credentials:
    id: int
    email: str
    password: str
    role: str


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


@dataclass(frozen=True)
class MeteredDevice:
    site_id: int
    device_id: int
    token: str


def ingest(base_url: str, token: str, rows: list[dict[str, Any]], **kwargs: Any) -> httpx.Response:
    return httpx.post(
        f"{base_url}/api/ingest/measurements",
        json={"measurements": rows},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
        **kwargs,
    )


T = TypeVar("T")


def wait_until(check: Callable[[], T | None], what: str, timeout: float = 20) -> T:
    """``check()``'s first truthy answer, polled every 0.1 s: waiting for an event, never a
    fixed sleep; fails after ``timeout`` seconds naming ``what`` was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting until {what}")
        time.sleep(0.1)
