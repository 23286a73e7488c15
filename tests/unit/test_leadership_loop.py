"""``LeaderLoop`` (db/leadership.py), the loop the background workers lead with, on a
scripted lock: standby, ticks, backoff after errors, a lost lock, cancellation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

import pytest

from power_portal.db import leadership as module
from power_portal.db.engine import Database
from power_portal.db.leadership import LeaderLoop

Trace = list[tuple[Any, ...]]
INTERVAL = 60.0


class Log:
    def __init__(self, trace: Trace) -> None:
        self.trace = trace

    def info(self, event: str, **fields: object) -> None:
        self.trace.append(("info", event, fields))

    def warning(self, event: str, **fields: object) -> None:
        self.trace.append(("warning", event, fields))


class Script:
    """What the lock and the work do, in turn; when a list runs out, that step waits for
    ever (``stuck`` is set) until the test cancels the loop."""

    def __init__(self, takes: list[object], ticks: list[str], keeper: str = "holds") -> None:
        self.takes = takes
        self.ticks = ticks
        self.keeper = keeper
        self.trace: Trace = []
        self.stuck = asyncio.Event()
        self.loop: LeaderLoop | None = None

    async def wait_for_ever(self) -> None:
        self.stuck.set()
        await asyncio.Event().wait()

    async def keep(self) -> None:
        if self.keeper == "lost":
            raise ConnectionError("the lock's connection")
        await asyncio.Event().wait()

    @asynccontextmanager
    async def leadership(self, database: object, lock: tuple[int, int]) -> AsyncIterator[Any]:
        if not self.takes:
            await self.wait_for_ever()
        taken = self.takes.pop(0)
        if isinstance(taken, Exception):
            raise taken
        self.trace.append(("lock", taken))
        try:
            yield self if taken else None
        finally:
            self.trace.append(("unlock",))

    async def tick(self) -> None:
        if not self.ticks:
            await self.wait_for_ever()
        outcome = self.ticks.pop(0)
        assert self.loop is not None
        self.trace.append(("tick", outcome, self.loop.leading))
        await REAL_SLEEP(0)  # the keeper gets to run
        if outcome == "fail":
            raise ValueError(outcome)


REAL_SLEEP = asyncio.sleep


def run(script: Script, monkeypatch: pytest.MonkeyPatch, **options: Any) -> LeaderLoop:
    """Run the loop until the script is stuck, then cancel it; the loop, stopped."""

    async def sleep(seconds: float) -> None:
        script.trace.append(("sleep", seconds))
        await REAL_SLEEP(0)

    monkeypatch.setattr(module, "leadership", script.leadership)
    monkeypatch.setattr(asyncio, "sleep", sleep)
    loop = LeaderLoop(
        cast(Database, None),
        (1, 2),
        name="test",
        log=cast(Any, Log(script.trace)),
        leading_event="test.leading",
        error_event="test.error",
        standby_seconds=5.0,
        retry_max_seconds=options.pop("retry_max_seconds", 60.0),
        **options,
    )
    script.loop = loop

    async def main() -> None:
        task = asyncio.create_task(loop.run_every(script.tick, INTERVAL))
        await asyncio.wait_for(script.stuck.wait(), 5)
        assert not task.done()
        script.trace.append(("cancel", loop.leading))
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    return loop


def test_stands_by_while_another_leads_then_ticks_while_it_leads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    script = Script(takes=[False, True], ticks=["ok", "ok"])
    loop = run(script, monkeypatch)
    assert script.trace == [
        ("lock", False),
        ("sleep", 5.0),  # standby, the lock's connection still open
        ("unlock",),
        ("lock", True),
        ("info", "test.leading", {}),
        ("tick", "ok", True),
        ("sleep", INTERVAL),
        ("tick", "ok", True),
        ("sleep", INTERVAL),
        ("cancel", True),
        ("unlock",),  # cancelled: the lock released, no error logged
    ]
    assert loop.leading is False


def test_a_lost_lock_ends_the_term_before_the_next_tick(monkeypatch: pytest.MonkeyPatch) -> None:
    script = Script(takes=[True], ticks=["ok", "ok"], keeper="lost")
    loop = run(script, monkeypatch)
    assert script.trace == [
        ("lock", True),
        ("info", "test.leading", {}),
        ("tick", "ok", True),
        ("sleep", INTERVAL),
        ("unlock",),
        ("warning", "test.error", {"error": "ConnectionError", "retry_in_s": 1.0}),
        ("sleep", 1.0),
        ("cancel", False),
    ]
    assert loop.leading is False


def test_an_error_taking_the_lock_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    script = Script(takes=[OSError("database down"), False], ticks=[])
    run(script, monkeypatch)
    assert script.trace == [
        ("warning", "test.error", {"error": "OSError", "retry_in_s": 1.0}),
        ("sleep", 1.0),
        ("lock", False),
        ("sleep", 5.0),
        ("unlock",),
        ("cancel", False),
    ]


@pytest.mark.parametrize(
    ("ticks", "options", "retries"),
    [
        (["fail"] * 5, {"retry_max_seconds": 3.0}, [1.0, 2.0, 3.0, 3.0, 3.0]),
        (["fail", "fail", "ok", "fail"], {}, [1.0, 2.0, 1.0]),  # a good tick resets
        (["fail", "fail", "ok", "ok", "fail"], {}, [1.0, 2.0, 1.0]),
        (["fail"] * 3, {"reset_backoff_on_lead": True}, [1.0, 1.0, 1.0]),
    ],
    ids=["doubling-to-the-cap", "reset-by-a-tick", "reset-once", "reset-on-lead"],
)
def test_errors_back_off(
    ticks: list[str], options: dict[str, Any], retries: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    script = Script(takes=[True] * len(ticks), ticks=ticks)
    run(script, monkeypatch, **options)
    logged = [step[2] for step in script.trace if step[0] == "warning"]
    assert logged == [{"error": "ValueError", "retry_in_s": delay} for delay in retries]
    slept = [step[1] for step in script.trace if step[0] == "sleep" and step[1] != INTERVAL]
    assert slept == retries
