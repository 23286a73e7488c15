"""Replaying a request whose transaction lost a deadlock or a serialization failure.

PostgreSQL ends one of two transactions that wait for each other (SQLSTATE ``40P01``) or
that cannot both be serialised (``40001``); the loser's work is rolled back, the other's
goes on. Nothing is wrong with the loser's request: run again, it finds the winner's
outcome. The request's unit of work is the whole handler (``core/deps.py``: one session,
committed once at the end), so the whole request is replayed: ``ReplayMiddleware`` runs
the app again with the same scope and the body it kept, up to ``MAX_ATTEMPTS`` times with a
short jittered pause (``replay_delay``); a request that succeeds on a later attempt answers
as if nothing happened. One that still loses on the last attempt answers 503 as before
(``database.conflict_exhausted`` in the log, ``portal_db_conflicts{outcome="exhausted"}``).

The rule: **a request is replayed only when all of these hold**

1. the error is a deadlock or serialization failure (``replay_kind``): the server rolled
   the failing transaction back in full, so nothing of it is stored;
2. no commit on the app's engine was attempted during this attempt (``db.engine``'s
   ``CommitWatch``, fed by SQLAlchemy's ``commit`` event, which fires *before* the COMMIT
   is sent): the handlers with commit boundaries of their own (ingest batches commit as
   they go) are never replayed once one of their commits went out, even a commit that then
   failed, whose outcome may be unknown; the request's own unit of work commits only at
   the end, so a conflict before it leaves nothing behind;
3. nothing of the response has gone out: the 503 the error handler made is held back, not
   sent, and anything else is sent at once and never replayed;
4. the request body was kept whole (at most ``MAX_REPLAY_BODY_BYTES`` by its
   ``Content-Length``, or no body): a streamed or large body cannot be read twice.

Work done outside the app's engine is not seen by rule 2: the small-batch ingest's group
committer commits on its own connection in its own task, and a request is told of a
conflict there only when that group's one transaction was rolled back (rule 1), so a
replay submits the batch again into a new group; mail, webhooks and files written by a
handler before the conflict would be done again (no handler does that before its
transaction's end today).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from power_portal.core.metrics import PortalMetrics
from power_portal.db.engine import CommitWatch, watching_commits

log = structlog.get_logger(__name__)

# SQLSTATE → the kind of conflict (the label in logs and metrics).
REPLAYABLE_SQLSTATES: Final = {"40P01": "deadlock", "40001": "serialization_failure"}
MAX_ATTEMPTS: Final = 3
MAX_REPLAY_BODY_BYTES: Final = 64 * 1024
BASE_DELAY_SECONDS: Final = 0.02
MAX_DELAY_SECONDS: Final = 0.5
SCOPE_KEY: Final = "portal.replay"


def replay_kind(sqlstate: str | None) -> str | None:
    """The conflict an error's SQLSTATE names, or None when a replay cannot help."""
    return REPLAYABLE_SQLSTATES.get(sqlstate) if sqlstate else None


def replay_delay(failed_attempt: int, jitter: float) -> float:
    """Seconds to wait before the attempt after ``failed_attempt`` (1-based): a window that
    doubles from ``BASE_DELAY_SECONDS`` up to ``MAX_DELAY_SECONDS``, and a point in its upper
    half chosen by ``jitter`` (0 ≤ jitter < 1), so two losers do not meet again in step."""
    window = min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2.0 ** max(failed_attempt - 1, 0))
    return window * (0.5 + min(max(jitter, 0.0), 1.0) / 2)


class Verdict(StrEnum):
    REPLAY = "replayed"
    EXHAUSTED = "exhausted"  # the last attempt lost too
    COMMITTED = "not_replayable_committed"  # a commit went out during the attempt
    BODY_NOT_KEPT = "not_replayable_body"  # the body was streamed or too large to keep


def verdict(*, attempt: int, max_attempts: int, committed: bool, body_kept: bool) -> Verdict:
    """What becomes of a request whose attempt ``attempt`` (1-based) lost a conflict."""
    if committed:
        return Verdict.COMMITTED
    if not body_kept:
        return Verdict.BODY_NOT_KEPT
    if attempt >= max_attempts:
        return Verdict.EXHAUSTED
    return Verdict.REPLAY


def keeps_body(headers: list[tuple[bytes, bytes]], limit: int) -> bool:
    """Whether a request's body may be read whole before the app runs: a ``Content-Length``
    of at most ``limit``, or no body at all (neither length nor chunked encoding)."""
    length: bytes | None = None
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"transfer-encoding":
            return False
        if lowered == b"content-length":
            length = value
    if length is None:
        return True
    try:
        return 0 <= int(length) <= limit
    except ValueError:
        return False


@dataclass
class Attempt:
    """One run of a request, in its scope: the error handler notes a conflict on it."""

    number: int
    commits: CommitWatch
    conflict: str | None = field(default=None)  # the SQLSTATE of a replayable conflict


def note_conflict(scope: Scope, sqlstate: str) -> None:
    """Called by the error handler that answers a conflict with a 503 (``core/errors.py``)."""
    attempt = scope.get(SCOPE_KEY)
    if isinstance(attempt, Attempt):
        attempt.conflict = sqlstate


class ReplayMiddleware:
    """Runs a request again when its transaction lost a deadlock or serialization failure
    (the rule in this module's docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: PortalMetrics | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        max_body_bytes: int = MAX_REPLAY_BODY_BYTES,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_attempts = max_attempts
        self.max_body_bytes = max_body_bytes
        self.sleep = sleep
        self.jitter = jitter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body: bytes | None = None
        if keeps_body(scope.get("headers", []), self.max_body_bytes):
            body = await _read_body(receive)
            if body is None:
                return  # the client went away before its body arrived: nobody to answer
        original = _fresh(scope)  # its dicts copied: the first run changes those in scope
        number = 1
        while True:
            if number > 1:  # the scope as it came: what the last run kept in it goes
                scope.clear()  # (in place: the middleware outside reads the matched route)
                scope.update(_fresh(original))
            attempt = await self._run(scope, number, body, receive, send)
            if attempt is None:
                if number > 1:
                    log.info("database.conflict_resolved", attempts=number, path=scope["path"])
                return
            delay = replay_delay(number, self.jitter())
            log.info(
                "database.conflict_replayed",
                kind=replay_kind(attempt.conflict),
                attempt=number,
                delay_ms=round(delay * 1000, 1),
                method=scope["method"],
                path=scope["path"],
            )
            await self.sleep(delay)
            number += 1

    async def _run(
        self, scope: Scope, number: int, body: bytes | None, receive: Receive, send: Send
    ) -> Attempt | None:
        """One attempt; the attempt when its response was held back to replay, else None."""
        held = False
        with watching_commits() as commits:
            attempt = Attempt(number, commits)
            scope[SCOPE_KEY] = attempt

            async def send_or_hold(message: Message) -> None:
                nonlocal held
                if message["type"] == "http.response.start":
                    outcome = self._outcome(attempt, message, body_kept=body is not None)
                    held = outcome is Verdict.REPLAY
                if not held:
                    await send(message)

            await self.app(scope, _replaying(body, receive), send_or_hold)
        return attempt if held else None

    def _outcome(self, attempt: Attempt, start: Message, *, body_kept: bool) -> Verdict | None:
        """None: send the response; otherwise what becomes of a conflict's 503 (counted and
        logged here, once per attempt)."""
        if attempt.conflict is None or start["status"] != 503:
            return None
        kind = replay_kind(attempt.conflict) or attempt.conflict
        outcome = verdict(
            attempt=attempt.number,
            max_attempts=self.max_attempts,
            committed=attempt.commits.committed,
            body_kept=body_kept,
        )
        if self.metrics is not None:
            self.metrics.db_conflict(kind, outcome.value)
        if outcome is not Verdict.REPLAY:
            log.warning(
                "database.conflict_exhausted"
                if outcome is Verdict.EXHAUSTED
                else "database.conflict_not_replayed",
                kind=kind,
                attempts=attempt.number,
                reason=outcome.value,
            )
        return outcome


def _fresh(scope: Scope) -> Scope:
    """A copy of ``scope`` whose dicts (``state``, extensions…) are copies too."""
    return {key: dict(value) if isinstance(value, dict) else value for key, value in scope.items()}


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body (its length was checked by ``keeps_body`` and is enforced by the
    server), or None when the client went away first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes | None, receive: Receive) -> Receive:
    """The kept body once, then the client's own messages (its disconnect); without a kept
    body, the client's stream itself (a single attempt)."""
    if body is None:
        return receive
    given = False

    async def replayed() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
