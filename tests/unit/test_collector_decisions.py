"""The collector's decisions, row by row: after a send, a poll failure, a Modbus failure."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from power_portal.collector.decisions import (
    Acknowledge,
    FailureKind,
    Park,
    ReadingTime,
    Retry,
    RetryPolicy,
    SendAction,
    SendOutcome,
    SendPolicy,
    SendState,
    Shrink,
    after_poll_failure,
    decide_send,
    describe_outcome,
    drops_connection,
    next_poll_at,
    reading_time,
    worth_reporting,
)

POLICY = SendPolicy(max_batch_size=500, retry=RetryPolicy(initial_seconds=1.0, max_seconds=60.0))
INGEST_URL = "https://portal.example.com/api/ingest/measurements"


def state(batch_length: int = 500, batch_size: int = 500, failures: int = 0) -> SendState:
    return SendState(batch_length=batch_length, batch_size=batch_size, failures=failures)


# (why, outcome, state, action)
SEND_RULES: list[tuple[str, SendOutcome, SendState, SendAction]] = [
    # 2xx: acknowledged; the batch size doubles back up to the config's; a short batch paces
    ("200, full batch", SendOutcome(200), state(), Acknowledge(500, pace=False)),
    ("201, caught up", SendOutcome(201), state(batch_length=3), Acknowledge(500, pace=True)),
    ("200 after a halving", SendOutcome(200), state(125, 125, 3), Acknowledge(250, False)),
    ("200, doubling capped", SendOutcome(200), state(400, 400), Acknowledge(500, False)),
    ("200, single reading", SendOutcome(200), state(1, 1), Acknowledge(2, pace=False)),
    # no answer: kept, back-off doubling from retry_initial_seconds to retry_max_seconds
    ("connection refused", SendOutcome(None), state(failures=0), Retry(1.0, 1, True)),
    ("timeout, 2nd", SendOutcome(None), state(failures=1), Retry(2.0, 2, False)),
    ("timeout, 5th", SendOutcome(None), state(failures=4), Retry(16.0, 5, False)),
    ("timeout, 10th", SendOutcome(None), state(failures=9), Retry(60.0, 10, True)),
    ("timeout, 11th", SendOutcome(None), state(failures=10), Retry(60.0, 11, False)),
    ("timeout, 20th", SendOutcome(None), state(failures=19), Retry(60.0, 20, True)),
    # 5xx and other answers: kept, back-off
    ("500", SendOutcome(500), state(), Retry(1.0, 1, True)),
    ("502, 3rd", SendOutcome(502), state(failures=2), Retry(4.0, 3, False)),
    ("503 Retry-After ignored", SendOutcome(503, retry_after=30), state(), Retry(1.0, 1, True)),
    ("409, other 4xx", SendOutcome(409), state(), Retry(1.0, 1, True)),
    ("408", SendOutcome(408), state(failures=1), Retry(2.0, 2, False)),
    # 429: Retry-After when finite (0 .. 10 x retry_max_seconds), else the back-off
    ("429 Retry-After", SendOutcome(429, retry_after=30), state(), Retry(30.0, 1, True)),
    ("429 Retry-After 0", SendOutcome(429, retry_after=0), state(failures=3), Retry(0.0, 4, False)),
    ("429 in the past", SendOutcome(429, retry_after=-5), state(), Retry(0.0, 1, True)),
    ("429 too long", SendOutcome(429, retry_after=1e6), state(), Retry(600.0, 1, True)),
    ("429 no Retry-After", SendOutcome(429), state(failures=1), Retry(2.0, 2, False)),
    ("429 NaN", SendOutcome(429, retry_after=math.nan), state(), Retry(1.0, 1, True)),
    ("429 inf", SendOutcome(429, retry_after=math.inf), state(), Retry(1.0, 1, True)),
    # a wrong token: kept, retried slowly (retry_max_seconds), reported as an error
    ("401", SendOutcome(401), state(), Retry(60.0, 1, True, configuration_problem=True)),
    ("403, 3rd", SendOutcome(403), state(failures=2), Retry(60.0, 3, False, True)),
    # a wrong portal_url: kept, back-off, reported as an error
    ("404", SendOutcome(404), state(), Retry(1.0, 1, True, configuration_problem=True)),
    ("405", SendOutcome(405), state(failures=1), Retry(2.0, 2, False, True)),
    ("301", SendOutcome(301), state(), Retry(1.0, 1, True, configuration_problem=True)),
    ("308, 10th", SendOutcome(308), state(failures=9), Retry(60.0, 10, True, True)),
    # 413: halve the batch (down to 1); a single reading too large is parked
    ("413, 500 readings", SendOutcome(413), state(500), Shrink(250)),
    ("413, 3 readings", SendOutcome(413), state(3, 500), Shrink(1)),
    ("413, 2 readings", SendOutcome(413), state(2, 2), Shrink(1)),
    ("413, 1 reading", SendOutcome(413), state(1, 1), Park((0,))),
    # 422: park the rows named (the rest go again at once), or the whole batch
    ("422 names rows", SendOutcome(422, named_rows=frozenset({3, 1})), state(5), Park((1, 3))),
    ("422 names none", SendOutcome(422), state(3), Park((0, 1, 2))),
    ("422, failing", SendOutcome(422), state(2, failures=4), Park((0, 1))),
    # 400 / 415: our body is at fault: park the batch
    ("400", SendOutcome(400), state(2), Park((0, 1))),
    ("415", SendOutcome(415), state(1), Park((0,))),
    ("400 naming rows", SendOutcome(400, named_rows=frozenset({1})), state(3), Park((0, 1, 2))),
]


@pytest.mark.parametrize(
    ("outcome", "before", "expected"),
    [row[1:] for row in SEND_RULES],
    ids=[row[0] for row in SEND_RULES],
)
def test_what_to_do_after_a_send(
    outcome: SendOutcome, before: SendState, expected: SendAction
) -> None:
    assert decide_send(outcome, before, POLICY) == expected


# (outcome, message)
MESSAGES: list[tuple[SendOutcome, str]] = [
    (
        SendOutcome(None, text="ConnectError: [Errno 111] Connection refused"),
        "portal unreachable (ConnectError: [Errno 111] Connection refused)",
    ),
    (SendOutcome(None, text="ReadTimeout: "), "portal unreachable (ReadTimeout: )"),
    (SendOutcome(200, accepted=3), "ok"),
    (
        SendOutcome(301, location="https://portal.example.com/"),
        "301: the portal redirects to https://portal.example.com/; set portal_url to the final URL",
    ),
    (SendOutcome(302), "302: the portal redirects to ?; set portal_url to the final URL"),
    (SendOutcome(413, text='"too large"'), '413 body too large: "too large"'),
    (SendOutcome(422, text='[{"loc": []}]'), '422 refused: [{"loc": []}]'),
    (SendOutcome(400, text='"bad"'), '400 refused the body: "bad"'),
    (SendOutcome(415, text="<html>"), "415 refused the body: <html>"),
    (
        SendOutcome(401, text='"no"'),
        "401: the portal refused this meter's device token (wrong or revoked?)",
    ),
    (SendOutcome(403), "403: the portal refused this meter's device token (wrong or revoked?)"),
    (SendOutcome(404), f"404: no ingest API at {INGEST_URL} (portal_url?)"),
    (SendOutcome(405), f"405: no ingest API at {INGEST_URL} (portal_url?)"),
    (SendOutcome(429, text='"slow down"'), '429: "slow down"'),
    (SendOutcome(503, text="Service Unavailable"), "503: Service Unavailable"),
]


@pytest.mark.parametrize(("outcome", "message"), MESSAGES, ids=[str(o.status) for o, _ in MESSAGES])
def test_each_answer_in_words(outcome: SendOutcome, message: str) -> None:
    assert describe_outcome(outcome, INGEST_URL) == message


# ---------------------------------------------------------------- polling

POLL_RETRY = RetryPolicy(initial_seconds=0.5, max_seconds=5.0)


@pytest.mark.parametrize(
    ("failures_before", "expected"),
    [
        (0, Retry(0.5, 1, report=True)),
        (1, Retry(1.0, 2, report=False)),
        (3, Retry(4.0, 4, report=False)),
        (4, Retry(5.0, 5, report=False)),
        (9, Retry(5.0, 10, report=True)),
        (10, Retry(5.0, 11, report=False)),
        (99, Retry(5.0, 100, report=True)),
        (10_000, Retry(5.0, 10_001, report=False)),
    ],
)
def test_after_a_poll_failure(failures_before: int, expected: Retry) -> None:
    assert after_poll_failure(failures_before, POLL_RETRY) == expected


@pytest.mark.parametrize(
    ("failures", "report"),
    [(1, True), (2, False), (9, False), (10, True), (11, False), (30, True)],
)
def test_failures_worth_reporting(failures: int, report: bool) -> None:
    assert worth_reporting(failures) is report


T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
MICRO = timedelta(microseconds=1)
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("now", "last", "expected"),
    [
        (T0, None, ReadingTime(T0)),
        (T0, T0 - timedelta(seconds=60), ReadingTime(T0)),
        (T0, T0, ReadingTime(T0 + MICRO)),  # same instant: a microsecond later
        (T0 - timedelta(milliseconds=500), T0, ReadingTime(T0 + MICRO)),  # jitter smoothed
        (T0 - SECOND, T0, ReadingTime(T0 - SECOND, clock_went_back_by=SECOND)),
        (T0 - timedelta(hours=2), T0, ReadingTime(T0 - timedelta(hours=2), timedelta(hours=2))),
    ],
    ids=["first", "forward", "same instant", "jitter", "one second back", "two hours back"],
)
def test_reading_times_increase_per_meter(
    now: datetime, last: datetime | None, expected: ReadingTime
) -> None:
    assert reading_time(now, last) == expected


@pytest.mark.parametrize(
    ("previous", "interval", "now", "expected"),
    [
        (100.0, 60.0, 100.5, 160.0),  # on time: one interval on
        (100.0, 60.0, 160.0, 160.0),
        (100.0, 60.0, 250.0, 250.0),  # a slow read: the missed tick is skipped
        (100.0, 0.2, 100.1, 100.2),
    ],
)
def test_next_poll(previous: float, interval: float, now: float, expected: float) -> None:
    assert next_poll_at(previous, interval, now) == pytest.approx(expected)


# ---------------------------------------------------------------- Modbus failures


@pytest.mark.parametrize(
    ("kind", "serial", "drops"),
    [
        (FailureKind.UNREACHABLE, False, True),
        (FailureKind.UNREACHABLE, True, True),
        (FailureKind.NO_ANSWER, False, True),  # TCP: a late answer could still arrive
        (FailureKind.NO_ANSWER, True, False),  # RTU: the framer resynchronises; the bus stays
        (FailureKind.EXCEPTION, False, False),
        (FailureKind.EXCEPTION, True, False),
        (FailureKind.BAD_ANSWER, False, False),
        (FailureKind.BAD_ANSWER, True, False),
    ],
)
def test_which_failures_drop_the_connection(kind: FailureKind, serial: bool, drops: bool) -> None:
    assert drops_connection(kind, serial=serial) is drops
