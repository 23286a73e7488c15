"""A database that hangs rather than stops: ``portal serve`` on its embedded PostgreSQL, the
server frozen with SIGSTOP (the postmaster and every backend: no server-side timeout can
fire). Requests that need it answer 503 within the client-side bound; after SIGCONT the
same process serves again by itself."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.portal import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    PortalProcess,
    login_client,
    wait_until,
)

pytestmark = pytest.mark.slow

RESPONSE_TIMEOUT = 3  # PORTAL_DATABASE__RESPONSE_TIMEOUT_SECONDS for this test
CONNECT_TIMEOUT = 2  # PORTAL_DATABASE__CONNECT_TIMEOUT_SECONDS
# The worst case: a pooled connection's pre-ping gets no answer (the bound), then the pool's
# fresh connection gets none either (the connect timeout); plus slack for a loaded machine.
ANSWER_WITHIN = RESPONSE_TIMEOUT + CONNECT_TIMEOUT + 3.0


def postgres_processes(data_dir: Path) -> list[psutil.Process]:
    """The embedded server: its postmaster (``postmaster.pid``) and every process under it."""
    pid = int((data_dir / "pgdata" / "postmaster.pid").read_text().split()[0])
    postmaster = psutil.Process(pid)
    return [postmaster, *postmaster.children(recursive=True)]


@contextmanager
def frozen(data_dir: Path) -> Iterator[list[psutil.Process]]:
    """SIGSTOP the server for the block; SIGCONT whatever happens."""
    stopped: list[psutil.Process] = []
    try:
        for process in postgres_processes(data_dir):
            os.kill(process.pid, signal.SIGSTOP)
            stopped.append(process)
        wait_until(
            lambda: all(p.status() == psutil.STATUS_STOPPED for p in stopped),
            "every PostgreSQL process is stopped",
            10,
        )
        yield stopped
    finally:
        for process in stopped:
            with suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGCONT)


def timed(call: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_a_frozen_database_answers_503_in_bounded_time_and_the_app_recovers(
    portal_process: Callable[..., PortalProcess], tmp_path: Path
) -> None:
    data_dir = tmp_path / "frozen-data"
    portal = portal_process(
        PORTAL_DATA_DIR=str(data_dir),
        PORTAL_ADMIN_PASSWORD=ADMIN_PASSWORD,
        PORTAL_DATABASE__STATEMENT_TIMEOUT_SECONDS="2",
        PORTAL_DATABASE__LOCK_TIMEOUT_SECONDS="2",
        PORTAL_DATABASE__RESPONSE_TIMEOUT_SECONDS=str(RESPONSE_TIMEOUT),
        PORTAL_DATABASE__CONNECT_TIMEOUT_SECONDS=str(CONNECT_TIMEOUT),
    )
    portal.start()
    assert portal.process is not None
    admin = login_client(portal.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    try:
        # warm the pool: the frozen server is met on connections the pool already holds
        for _ in range(3):
            assert admin.get("/api/sites").status_code == 200
        timings: dict[str, float] = {}
        with frozen(data_dir):
            sites, timings["sites"] = timed(lambda: admin.get("/api/sites", timeout=60))
            health, timings["health"] = timed(
                lambda: httpx.get(f"{portal.url}/api/health", timeout=60)
            )
            again, timings["sites again"] = timed(lambda: admin.get("/api/sites", timeout=60))
        print(f"answers while frozen (s): { {k: round(v, 2) for k, v in timings.items()} }")
        assert sites.status_code == 503, sites.text
        assert sites.headers["Retry-After"]
        assert health.status_code == 503, health.text
        assert health.json()["database"] == "unavailable"
        assert again.status_code == 503, again.text
        assert max(timings.values()) < ANSWER_WITHIN, timings

        # the same process, untouched, serves again once the server runs
        started = time.monotonic()
        wait_until(
            lambda: admin.get("/api/sites", timeout=30).status_code == 200,
            "the signed-in request succeeds again",
            60,
        )
        print(f"recovered {time.monotonic() - started:.2f} s after SIGCONT")
        assert httpx.get(f"{portal.url}/api/health", timeout=30).status_code == 200
    finally:
        admin.close()
    assert portal.process.poll() is None
    assert "database.unavailable" in portal.log()
    assert portal.terminate()
