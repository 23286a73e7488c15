"""The send stage: reading the portal's answers, and carrying the decisions out on the spool."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from power_portal.collector.config import CollectorConfig, TcpMeter
from power_portal.collector.decisions import SendOutcome
from power_portal.collector.sender import INGEST_PATH, Sender, read_answer
from power_portal.collector.spool import NewReading, Spool
from power_portal.collector.status import MeterState

TOKEN = "ppd_sender-test-token"
NAMED_ROW_1 = [{"loc": ["body", "measurements", 1, "time"], "msg": "in the future"}]


def answer(status: int, **kwargs: Any) -> httpx.Response:
    return httpx.Response(status, request=httpx.Request("POST", INGEST_PATH), **kwargs)


@pytest.mark.parametrize(
    ("response", "batch_length", "expected"),
    [
        (
            answer(200, json={"accepted": 3, "duplicates": 1}),
            4,
            SendOutcome(200, accepted=3, duplicates=1),
        ),
        (answer(200, text="not JSON"), 4, SendOutcome(200)),
        (answer(307, headers={"Location": "https://b/"}), 4, SendOutcome(307, location="https://b/")),
        (answer(301), 4, SendOutcome(301, location="?")),
        (
            answer(422, json={"detail": NAMED_ROW_1}),
            4,
            SendOutcome(422, text=json.dumps(NAMED_ROW_1), named_rows=frozenset({1})),
        ),
        (  # a row index outside the batch is not ours
            answer(422, json={"detail": NAMED_ROW_1}),
            1,
            SendOutcome(422, text=json.dumps(NAMED_ROW_1)),
        ),
        (answer(413, json={"detail": "too large"}), 4, SendOutcome(413, text='"too large"')),
        (answer(401, json=["a", "list"]), 4, SendOutcome(401, text='["a", "list"]')),
        (
            answer(429, json={"detail": "slow"}, headers={"Retry-After": "7"}),
            4,
            SendOutcome(429, text='"slow"', retry_after=7.0),
        ),
        (
            answer(429, headers={"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}),
            4,
            SendOutcome(429),
        ),
        (answer(503, text="x" * 600), 4, SendOutcome(503, text="x" * 500)),
    ],
    ids=["2xx", "2xx not JSON", "307", "301 no Location", "422", "422 outside", "413", "401",
         "429", "429 HTTP date", "503 long body"],
)  # fmt: skip
def test_the_facts_of_an_answer(
    response: httpx.Response, batch_length: int, expected: SendOutcome
) -> None:
    assert read_answer(response, batch_length) == expected


# ---------------------------------------------------------------- the shell


def config(**overrides: Any) -> CollectorConfig:
    settings: dict[str, Any] = {
        "portal_url": "http://portal.test",
        "batch_size": 500,
        "send_interval_seconds": 0,
        "retry_initial_seconds": 0.01,
        "retry_max_seconds": 0.05,
        "meters": [TcpMeter(name="Main", transport="tcp", host="h", token=SecretStr(TOKEN))],
    }
    return CollectorConfig(**(settings | overrides))


def send_all(
    tmp_path: Path,
    readings: int,
    answers: list[httpx.Response],
    settings: CollectorConfig,
) -> tuple[MeterState, Spool, list[list[dict[str, Any]]]]:
    """Spool ``readings``; answer the POSTs with ``answers``, then 200s, till the spool is empty."""
    posted: list[list[dict[str, Any]]] = []

    def portal(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        rows = json.loads(request.content)["measurements"]
        posted.append(rows)
        if len(posted) <= len(answers):
            return answers[len(posted) - 1]
        return httpx.Response(200, json={"accepted": len(rows), "duplicates": 0})

    spool = Spool(tmp_path / "spool.sqlite", 1000)
    spool.add(
        [
            NewReading("Main", f"t{n}", json.dumps({"time": f"t{n}", "power_kw": float(n)}))
            for n in range(readings)
        ]
    )
    state = MeterState("Main", "tcp://h:502", 1, batch_size=settings.batch_size)

    async def scenario() -> None:
        async with httpx.AsyncClient(
            transport=httpx.MockTransport(portal), base_url=settings.base_url
        ) as http:
            sender = Sender(
                settings.meters[0],
                state,
                spool,
                http,
                settings,
                clock=lambda: datetime(2026, 5, 1, tzinfo=UTC),
            )
            task = asyncio.create_task(sender.run())
            await until(lambda: spool.depth() == 0 and not state.posting)
            sender.stop()
            await asyncio.wait_for(task, 5)

    asyncio.run(scenario())
    return state, spool, posted


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110 - the spool has no event to wait for
            await asyncio.sleep(0.005)


def powers(rows: list[dict[str, Any]]) -> list[float]:
    return [row["power_kw"] for row in rows]


def test_acknowledged_batches_leave_the_spool(tmp_path: Path) -> None:
    state, spool, posted = send_all(tmp_path, 3, [], config())
    assert [powers(rows) for rows in posted] == [[0.0, 1.0, 2.0]]
    assert (state.sent, state.parked, state.consecutive_send_failures) == (3, 0, 0)
    assert state.last_sent_at == datetime(2026, 5, 1, tzinfo=UTC)
    spool.close()


def test_named_rows_are_parked_and_the_rest_sent_at_once(tmp_path: Path) -> None:
    refused = answer(422, json={"detail": NAMED_ROW_1})
    state, spool, posted = send_all(tmp_path, 3, [refused], config())
    assert [powers(rows) for rows in posted] == [[0.0, 1.0, 2.0], [0.0, 2.0]]
    assert (state.sent, state.parked) == (2, 1)
    [(meter, taken_at, reason)] = spool.parked()
    assert (meter, taken_at) == ("Main", "t1")
    assert reason.startswith("422 refused: ")
    spool.close()


def test_too_large_batches_are_halved_then_grow_back(tmp_path: Path) -> None:
    state, spool, posted = send_all(tmp_path, 5, [answer(413), answer(413)], config(batch_size=4))
    assert [len(rows) for rows in posted] == [4, 2, 1, 2, 2]
    assert (state.sent, state.parked, state.batch_size) == (5, 0, 4)
    spool.close()


def test_failures_keep_the_batch_and_back_off(tmp_path: Path) -> None:
    down = [answer(503, text="maintenance"), answer(401)]
    state, spool, posted = send_all(tmp_path, 2, down, config(retry_max_seconds=0.02))
    assert [powers(rows) for rows in posted] == [[0.0, 1.0]] * 3
    assert (state.sent, state.consecutive_send_failures) == (2, 0)
    assert state.last_send_error == (
        "401: the portal refused this meter's device token (wrong or revoked?)"
    )
    spool.close()
