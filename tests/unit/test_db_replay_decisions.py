"""The pure decisions of the database timeouts (``db/engine.py``) and of replaying a request
that lost a deadlock or serialization failure (``core/replay.py``), table-driven; and the
replay middleware driven by fake ASGI apps (no database)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from power_portal.core.replay import (
    MAX_DELAY_SECONDS,
    ReplayMiddleware,
    Verdict,
    keeps_body,
    note_conflict,
    replay_delay,
    replay_kind,
    verdict,
)
from power_portal.db.engine import (
    Timeouts,
    _note_commit,
    job_timeouts,
    request_timeouts,
    set_local_sql,
    startup_options,
)
from power_portal.settings import FileDatabase

# ---------------------------------------------------------------- timeouts


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (FileDatabase(), Timeouts(30.0, 10.0, 60.0, 35.0)),
        (
            FileDatabase(
                statement_timeout_seconds=2,
                lock_timeout_seconds=0.5,
                idle_in_transaction_timeout_seconds=0,
                response_timeout_seconds=3,
            ),
            Timeouts(2.0, 0.5, 0.0, 3.0),
        ),
    ],
)
def test_request_timeouts(settings: FileDatabase, expected: Timeouts) -> None:
    assert request_timeouts(settings) == expected


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        # no statement timeout for jobs (the default): no client-side bound either
        (FileDatabase(), Timeouts(0.0, 0, 0, None)),
        # their own: the requests' margin (35 - 30) over it
        (FileDatabase(job_statement_timeout_seconds=600), Timeouts(600.0, 0, 0, 605.0)),
        # a response timeout below the statement timeout still leaves a margin of 1 s
        (
            FileDatabase(
                statement_timeout_seconds=30,
                response_timeout_seconds=10,
                job_statement_timeout_seconds=60,
            ),
            Timeouts(60.0, 0, 0, 61.0),
        ),
    ],
)
def test_job_timeouts(settings: FileDatabase, expected: Timeouts) -> None:
    assert job_timeouts(settings) == expected


def test_startup_options_set_utc_and_the_timeouts_in_milliseconds() -> None:
    assert startup_options(Timeouts(30, 10, 0.25, 35)) == (
        "-c timezone=UTC -c statement_timeout=30000 -c lock_timeout=10000 "
        "-c idle_in_transaction_session_timeout=250"
    )


def test_set_local_sql_is_one_statement_local_to_the_transaction() -> None:
    assert set_local_sql(Timeouts(0, 0, 0, None)) == (
        "SELECT set_config('statement_timeout', '0', true), "
        "set_config('lock_timeout', '0', true), "
        "set_config('idle_in_transaction_session_timeout', '0', true)"
    )


# ---------------------------------------------------------------- replay decisions


@pytest.mark.parametrize(
    ("sqlstate", "kind"),
    [
        ("40P01", "deadlock"),
        ("40001", "serialization_failure"),
        ("57014", None),  # query_canceled (a statement timeout): the next try is as slow
        ("55P03", None),  # lock_not_available (a lock timeout)
        ("08006", None),  # connection failure: the database is gone, not a conflict
        ("23505", None),  # unique violation: an application error
        (None, None),  # no SQLSTATE (pool timeout, no answer)
        ("", None),
    ],
)
def test_replay_kind(sqlstate: str | None, kind: str | None) -> None:
    assert replay_kind(sqlstate) == kind


@pytest.mark.parametrize(
    ("failed_attempt", "jitter", "seconds"),
    [
        (1, 0.0, 0.01),
        (1, 1.0, 0.02),
        (2, 0.0, 0.02),
        (2, 0.5, 0.03),
        (3, 1.0, 0.08),
        (10, 0.0, MAX_DELAY_SECONDS / 2),  # capped
        (10, 1.0, MAX_DELAY_SECONDS),
        (1, -3.0, 0.01),  # out-of-range jitter is clamped
        (1, 7.0, 0.02),
    ],
)
def test_replay_delay(failed_attempt: int, jitter: float, seconds: float) -> None:
    assert replay_delay(failed_attempt, jitter) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("attempt", "committed", "body_kept", "expected"),
    [
        (1, False, True, Verdict.REPLAY),
        (2, False, True, Verdict.REPLAY),
        (3, False, True, Verdict.EXHAUSTED),
        (4, False, True, Verdict.EXHAUSTED),
        (1, True, True, Verdict.COMMITTED),  # a commit went out: never again
        (3, True, True, Verdict.COMMITTED),
        (1, False, False, Verdict.BODY_NOT_KEPT),
        (1, True, False, Verdict.COMMITTED),
    ],
)
def test_verdict(attempt: int, committed: bool, body_kept: bool, expected: Verdict) -> None:
    assert (
        verdict(attempt=attempt, max_attempts=3, committed=committed, body_kept=body_kept)
        is expected
    )


@pytest.mark.parametrize(
    ("headers", "kept"),
    [
        ([], True),  # no body
        ([(b"content-length", b"0")], True),
        ([(b"Content-Length", b"100")], True),
        ([(b"content-length", b"101")], False),
        ([(b"content-length", b"nonsense")], False),
        ([(b"content-length", b"-1")], False),
        ([(b"transfer-encoding", b"chunked")], False),
        ([(b"content-type", b"application/json")], True),
    ],
)
def test_keeps_body(headers: list[tuple[bytes, bytes]], kept: bool) -> None:
    assert keeps_body(headers, 100) is kept


# ---------------------------------------------------------------- the middleware


class ConflictingApp:
    """Answers like the app does: the first ``losses`` runs lose a conflict (the error
    handler notes it and makes a 503), later runs answer 200 with the body they read."""

    def __init__(self, losses: int, *, commit_first: bool = False) -> None:
        self.losses = losses
        self.commit_first = commit_first
        self.runs = 0
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.runs += 1
        assert "user_id" not in scope["state"]  # every run starts from the scope as it came
        scope["state"]["user_id"] = self.runs
        message = await receive()
        self.bodies.append(message.get("body", b""))
        if self.commit_first:
            _note_commit(None)  # as SQLAlchemy's commit event does
        if self.runs <= self.losses:
            note_conflict(scope, "40P01")
            await _respond(send, 503, b"the database is unavailable")
        else:
            await _respond(send, 200, b"ok")


async def _respond(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": body})


def _drive(
    app: Any,
    *,
    body: bytes = b'{"role": "viewer"}',
    headers: list[tuple[bytes, bytes]] | None = None,
) -> tuple[list[Message], list[float]]:
    sent: list[Message] = []
    pauses: list[float] = []
    chunks = [body[:5], body[5:]]

    async def receive() -> Message:
        if chunks:
            chunk = chunks.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}
        await asyncio.Event().wait()  # the client stays (no disconnect)
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        sent.append(message)

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    middleware = ReplayMiddleware(app, sleep=sleep, jitter=lambda: 0.0)
    scope: Scope = {
        "type": "http",
        "method": "PATCH",
        "path": "/api/users/2",
        "headers": headers if headers is not None else [(b"content-length", b"%d" % len(body))],
        "state": {},
    }
    asyncio.run(middleware(scope, receive, send))
    return sent, pauses


def _statuses(sent: list[Message]) -> list[int]:
    return [m["status"] for m in sent if m["type"] == "http.response.start"]


def test_a_conflict_is_replayed_with_the_same_body_and_answers_normally() -> None:
    app = ConflictingApp(losses=2)
    sent, pauses = _drive(app)
    assert _statuses(sent) == [200]  # the held 503s never reached the client
    assert sent[-1]["body"] == b"ok"
    assert app.runs == 3
    assert app.bodies == [b'{"role": "viewer"}'] * 3
    assert pauses == [pytest.approx(0.01), pytest.approx(0.02)]


def test_the_last_attempt_s_503_is_sent() -> None:
    app = ConflictingApp(losses=5)
    sent, pauses = _drive(app)
    assert _statuses(sent) == [503]
    assert app.runs == 3
    assert len(pauses) == 2


def test_no_replay_after_a_commit() -> None:
    app = ConflictingApp(losses=1, commit_first=True)
    sent, pauses = _drive(app)
    assert _statuses(sent) == [503]
    assert app.runs == 1
    assert pauses == []


def test_no_replay_of_a_body_that_was_not_kept() -> None:
    app = ConflictingApp(losses=1)
    sent, _ = _drive(app, headers=[(b"transfer-encoding", b"chunked")])
    assert _statuses(sent) == [503]
    assert app.runs == 1
    assert app.bodies == [b'{"rol']  # the app read the client's own stream (its first chunk)


def test_a_503_without_a_conflict_is_sent_at_once() -> None:
    class Unavailable:
        runs = 0

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            self.runs += 1
            await _respond(send, 503, b"the database is unavailable")

    app = Unavailable()
    sent, _ = _drive(app)
    assert _statuses(sent) == [503]
    assert app.runs == 1
