"""Concurrent writes that deadlock: the request that loses is replayed (``core/replay.py``)
and answers like the winner, never 503; one that committed something first is not replayed.
The users' races run beside a busy loop per core, so they cannot pass by luck."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from sqlalchemy import text
from sqlalchemy.engine import URL

import tests.support.portal as portal_support
from power_portal.app import create_app
from power_portal.core.deps import DatabaseDep, SessionDep
from power_portal.settings import Settings
from tests.integration.test_users import (
    admin_id,
)
from tests.integration.test_users import (
    test_two_admins_demoting_each_other_at_once_leave_one_admin as demoting_each_other,
)
from tests.support.database import sql
from tests.support.load import cpu_hog
from tests.support.portal import Credentials, LiveServer, login_client

# ---------------------------------------------------------------- a forced deadlock


@dataclass
class Probe:
    """Two requests meet after each locked its first row, then each wants the other's."""

    runs: list[str] = field(default_factory=list)
    arrived: int = 0
    both_hold_a_row: asyncio.Event = field(default_factory=asyncio.Event)


def probe_router(probe: Probe) -> APIRouter:
    router = APIRouter()

    @router.post("/test/deadlock/{first}/{second}")
    async def deadlock(
        first: int, second: int, db: SessionDep, database: DatabaseDep, commit_first: bool = False
    ) -> dict[str, int]:
        probe.runs.append(f"{first}->{second}")
        if commit_first:  # a commit boundary of its own, as the ingest handlers have
            async with database.transaction() as own:
                await own.execute(
                    text("INSERT INTO app.replay_probe_log (note) VALUES (:note)"),
                    {"note": f"{first}->{second}"},
                )
        await db.execute(
            text("UPDATE app.replay_probe SET n = n + 1 WHERE id = :id"), {"id": first}
        )
        probe.arrived += 1
        if probe.arrived == 2:
            probe.both_hold_a_row.set()
        await asyncio.wait_for(probe.both_hold_a_row.wait(), 20)  # set already on a replay
        await db.execute(
            text("UPDATE app.replay_probe SET n = n + 1 WHERE id = :id"), {"id": second}
        )
        return {"first": first, "second": second}

    return router


@pytest.fixture
def probed(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, db_url: URL
) -> Iterator[tuple[LiveServer, Probe, list[FastAPI]]]:
    """The real app (its middleware, error handlers and unit of work) with the probe route."""
    sql(db_url, "CREATE TABLE app.replay_probe (id int PRIMARY KEY, n int NOT NULL)")
    sql(db_url, "INSERT INTO app.replay_probe VALUES (1, 0), (2, 0)")
    sql(db_url, "CREATE TABLE app.replay_probe_log (note text NOT NULL)")
    probe = Probe()
    apps: list[FastAPI] = []

    def with_probe(app_settings: Settings) -> FastAPI:
        app = create_app(app_settings)
        app.include_router(probe_router(probe))
        apps.append(app)
        return app

    monkeypatch.setattr(portal_support, "create_app", with_probe)
    server = LiveServer(settings)
    server.start()
    try:
        yield server, probe, apps
    finally:
        server.stop()


def both_at_once(server: LiveServer, query: str = "") -> list[httpx.Response]:
    barrier = threading.Barrier(2)
    responses: list[httpx.Response] = []

    def post(first: int, second: int) -> None:
        barrier.wait()
        responses.append(
            httpx.post(f"{server.url}/test/deadlock/{first}/{second}{query}", timeout=60)
        )

    threads = [threading.Thread(target=post, args=pair) for pair in ((1, 2), (2, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return responses


def conflicts(app: FastAPI, outcome: str) -> float:
    value = app.state.metrics.registry.get_sample_value(
        "portal_db_conflicts_total", {"kind": "deadlock", "outcome": outcome}
    )
    return float(value or 0)


def test_a_real_deadlock_is_replayed_into_success(
    probed: tuple[LiveServer, Probe, list[FastAPI]], db_url: URL
) -> None:
    server, probe, [app] = probed
    responses = both_at_once(server)
    assert sorted(r.status_code for r in responses) == [200, 200], [r.text for r in responses]
    # PostgreSQL ended one transaction (its update rolled back), which ran again once
    assert len(probe.runs) == 3, probe.runs
    assert conflicts(app, "replayed") == 1
    # each request's work is stored exactly once: the lost attempt left nothing behind
    assert sql(db_url, "SELECT id, n FROM app.replay_probe ORDER BY id") == [(1, 2), (2, 2)]


def test_a_request_that_committed_before_the_deadlock_is_not_replayed(
    probed: tuple[LiveServer, Probe, list[FastAPI]], db_url: URL
) -> None:
    server, probe, [app] = probed
    responses = both_at_once(server, "?commit_first=true")
    assert sorted(r.status_code for r in responses) == [200, 503], [r.text for r in responses]
    assert len(probe.runs) == 2, probe.runs
    assert conflicts(app, "not_replayable_committed") == 1
    assert conflicts(app, "replayed") == 0
    # both boundaries committed, once each; of the deadlocked updates only the winner's
    assert sql(db_url, "SELECT count(*) FROM app.replay_probe_log") == [(2,)]
    assert sql(db_url, "SELECT sum(n) FROM app.replay_probe") == [(2,)]


# ---------------------------------------------------------------- races under load


@pytest.fixture
def loaded_machine() -> Iterator[None]:
    with cpu_hog():
        yield


ROUNDS = range(3)


def deactivating_each_other(
    live_server: LiveServer,
    make_user: Callable[..., Credentials],
    admin_client: httpx.Client,
    db_url: URL,
) -> None:
    """The demote race for deactivation, which also ends the other's sessions (more rows
    locked: the admins, the user, the other's sessions): one wins, the other finds itself
    the last admin (409), no longer an admin (403) or signed out (401), never 503."""
    a = make_user("admin")
    b = make_user("admin")
    admin_client.patch(f"/api/users/{admin_id(admin_client)}", json={"role": "viewer"})
    clients = {
        a.id: login_client(live_server.url, a.email, a.password),
        b.id: login_client(live_server.url, b.email, b.password),
    }
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def deactivate(actor: int, target: int) -> None:
        barrier.wait()
        response = clients[actor].patch(f"/api/users/{target}", json={"is_active": False})
        statuses.append(response.status_code)

    threads = [
        threading.Thread(target=deactivate, args=(a.id, b.id)),
        threading.Thread(target=deactivate, args=(b.id, a.id)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for http in clients.values():
        http.close()
    assert sorted(statuses) in ([200, 401], [200, 403], [200, 409]), statuses
    active_admins = sql(
        db_url, "SELECT count(*) FROM identity.users WHERE role = 'admin' AND is_active"
    )
    assert active_admins == [(1,)]


Race = Callable[[LiveServer, Callable[..., Credentials], httpx.Client, URL], None]
RACES: dict[str, Race] = {
    # ``test_users``'s race (it once answered [200, 503] on a busy machine)
    "demoting": demoting_each_other,
    "deactivating": deactivating_each_other,
}


@pytest.mark.slow
@pytest.mark.parametrize("round_", ROUNDS)
@pytest.mark.parametrize("race", RACES.values(), ids=RACES.keys())
def test_two_admins_racing_each_other_under_load(
    loaded_machine: None,
    round_: int,
    race: Race,
    live_server: LiveServer,
    make_user: Callable[..., Credentials],
    admin_client: httpx.Client,
    db_url: URL,
) -> None:
    """Two admins demoting or deactivating each other at once, beside a busy loop per core:
    one wins, one active admin is left, never 503."""
    race(live_server, make_user, admin_client, db_url)
