"""The collector's decisions (pure: no I/O): what to do after each send, poll and Modbus failure.

The stages (``poller``, ``sender``, ``modbus``) read the facts and carry out
what these functions decide; the tables in ``tests/unit/test_collector_decisions.py``
are the rules.

What the sender does with each answer (``decide_send``):

========================  =====================================================
2xx                       acknowledged: deleted from the spool; the batch size
                          doubles back towards ``batch_size``; once caught up
                          (a short batch) the next POST waits for
                          ``send_interval_seconds``
5xx, network error,       kept; retried after a back-off (``Retry-After`` for
timeout, 429              429). Nothing is lost while the portal is away.
401 / 403                 kept; logged as an error (token wrong or revoked);
                          retried at ``retry_max_seconds``: fix the token and
                          the backlog flows
404 / 405, 3xx            kept; logged as an error (``portal_url`` is wrong, or
                          redirects: give the final URL); retried
413                       the batch is halved (down to 1) and retried; a single
                          reading too large is parked
422                       the rows the portal names are *parked* (moved aside
                          in the spool with the portal's message), the rest
                          are retried at once; if no row is named, the whole
                          batch is parked
400 / 415                 the batch is parked (our body is at fault: a bug)
========================  =====================================================
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

REPORT_EVERY_N_FAILURES = 10  # after the first failure, log every n-th one (status shows all)
CLOCK_JITTER = timedelta(seconds=1)  # a step back smaller than this is smoothed over
RETRY_AFTER_CAP = 10  # a Retry-After is honoured up to this many times retry_max_seconds
TOKEN_REFUSED = frozenset({401, 403})
NO_INGEST_API = frozenset({404, 405})
BODY_REFUSED = frozenset({400, 415})
TOO_LARGE = 413
ROWS_REFUSED = 422
TOO_MANY_REQUESTS = 429


# ---------------------------------------------------------------- failures in a row


@dataclass(frozen=True)
class RetryPolicy:
    """Back-off after failures in a row: ``initial_seconds`` doubling up to ``max_seconds``."""

    initial_seconds: float
    max_seconds: float


def backoff_seconds(failures: int, initial: float, maximum: float) -> float:
    """Wait after the n-th failure in a row: initial, 2x, 4x … capped at ``maximum``."""
    if failures <= 0:
        return 0.0
    return float(min(maximum, initial * 2 ** min(failures - 1, 30)))


def worth_reporting(failures: int) -> bool:
    """Log the first failure in a row, then every n-th (the status lines count them all)."""
    return failures == 1 or failures % REPORT_EVERY_N_FAILURES == 0


@dataclass(frozen=True)
class Retry:
    """Keep what failed and try again after ``delay_seconds``."""

    delay_seconds: float
    failures: int  # failures in a row, this one included
    report: bool  # log this failure (see ``worth_reporting``)
    configuration_problem: bool = False  # log it as an error: the portal URL or token is wrong


def after_poll_failure(failures: int, policy: RetryPolicy) -> Retry:
    """A meter did not answer (``failures`` in a row before this one): back off."""
    failures += 1
    delay = backoff_seconds(failures, policy.initial_seconds, policy.max_seconds)
    return Retry(delay, failures, worth_reporting(failures))


# ---------------------------------------------------------------- sending


@dataclass(frozen=True)
class SendOutcome:
    """How the portal answered one POST of a batch: the facts the sender read off it."""

    status: int | None  # None: no answer (connection refused or reset, timeout)
    text: str = ""  # the portal's detail (or body), shortened; without an answer, the error
    location: str = "?"  # a redirect's Location header
    accepted: int = 0  # 2xx: rows stored
    duplicates: int = 0  # 2xx: rows the portal already had
    retry_after: float | None = None  # the Retry-After header, in seconds
    named_rows: frozenset[int] = frozenset()  # rows of the batch the detail names (422)


@dataclass(frozen=True)
class SendState:
    """The meter's sending state when the answer came."""

    batch_length: int  # readings in the batch just posted
    batch_size: int  # readings asked of the spool for it (the meter's current batch size)
    failures: int  # failed sends in a row before this one


@dataclass(frozen=True)
class SendPolicy:
    max_batch_size: int  # ``batch_size`` of the config
    retry: RetryPolicy


@dataclass(frozen=True)
class Acknowledge:
    """The portal has the batch: delete it from the spool."""

    next_batch_size: int
    pace: bool  # caught up (a short batch): the next POST waits for send_interval_seconds


@dataclass(frozen=True)
class Shrink:
    """The body was too large: keep the batch, send smaller ones at once."""

    next_batch_size: int


@dataclass(frozen=True)
class Park:
    """The portal refused these rows for good: move them aside; the rest go again at once."""

    rows: tuple[int, ...]  # indexes into the batch, ascending


SendAction = Acknowledge | Shrink | Park | Retry


def decide_send(outcome: SendOutcome, state: SendState, policy: SendPolicy) -> SendAction:
    """What to do with the batch (and the meter's batch size) after the portal's answer."""
    status = outcome.status
    if status is not None and 200 <= status < 300:
        return Acknowledge(
            next_batch_size=min(policy.max_batch_size, state.batch_size * 2),
            pace=state.batch_length < state.batch_size,
        )
    if status == TOO_LARGE and state.batch_length > 1:
        return Shrink(max(1, state.batch_length // 2))
    if status == ROWS_REFUSED and outcome.named_rows:
        return Park(tuple(sorted(outcome.named_rows)))
    if status in BODY_REFUSED or status in (TOO_LARGE, ROWS_REFUSED):
        return Park(tuple(range(state.batch_length)))
    failures = state.failures + 1
    delay = backoff_seconds(failures, policy.retry.initial_seconds, policy.retry.max_seconds)
    if status in TOKEN_REFUSED:
        delay = policy.retry.max_seconds
    retry_after = outcome.retry_after
    if status == TOO_MANY_REQUESTS and retry_after is not None and math.isfinite(retry_after):
        delay = max(0.0, min(retry_after, policy.retry.max_seconds * RETRY_AFTER_CAP))
    configuration_problem = status is not None and (
        300 <= status < 400 or status in TOKEN_REFUSED or status in NO_INGEST_API
    )
    return Retry(delay, failures, worth_reporting(failures), configuration_problem)


def describe_outcome(outcome: SendOutcome, ingest_url: str) -> str:
    """The answer in words, for the logs, the status lines and a parked row's reason."""
    status = outcome.status
    if status is None:
        return f"portal unreachable ({outcome.text})"
    if 200 <= status < 300:
        return "ok"
    if 300 <= status < 400:
        return (
            f"{status}: the portal redirects to {outcome.location}; set portal_url to the final URL"
        )
    if status == TOO_LARGE:
        return f"413 body too large: {outcome.text}"
    if status == ROWS_REFUSED:
        return f"422 refused: {outcome.text}"
    if status in BODY_REFUSED:
        return f"{status} refused the body: {outcome.text}"
    if status in TOKEN_REFUSED:
        return f"{status}: the portal refused this meter's device token (wrong or revoked?)"
    if status in NO_INGEST_API:
        return f"{status}: no ingest API at {ingest_url} (portal_url?)"
    return f"{status}: {outcome.text}"


# ---------------------------------------------------------------- polling


@dataclass(frozen=True)
class ReadingTime:
    """When a reading counts as taken, and how far the clock stepped back, if it did."""

    at: datetime
    clock_went_back_by: timedelta | None = None


def reading_time(now: datetime, last: datetime | None) -> ReadingTime:
    """Strictly increasing per meter (the portal keys readings by device and time).

    A clock step back smaller than ``CLOCK_JITTER`` is smoothed over (a
    microsecond after the last reading); a larger one is taken as it is, and
    reported: the portal counts readings at times it already has as duplicates.
    """
    if last is None or now > last:
        return ReadingTime(now)
    if last - now < CLOCK_JITTER:
        return ReadingTime(last + timedelta(microseconds=1))
    return ReadingTime(now, clock_went_back_by=last - now)


def next_poll_at(previous: float, interval: float, now: float) -> float:
    """The next tick on the loop's clock: one interval on; a missed tick is skipped, not bunched."""
    return max(previous + interval, now)


# ---------------------------------------------------------------- Modbus failures


class FailureKind(StrEnum):
    """Why a meter could not be read."""

    UNREACHABLE = "unreachable"  # connection refused or lost, no route, serial port missing
    NO_ANSWER = "no_answer"  # timeout (RTU: also a frame with a bad CRC)
    EXCEPTION = "exception"  # the meter answered with a Modbus exception code
    BAD_ANSWER = "bad_answer"  # an answer of the wrong length


def drops_connection(kind: FailureKind, *, serial: bool) -> bool:
    """Close the link after a failed request, to start afresh at the next poll?

    A lost connection, yes. No answer over TCP, yes: a late answer could still
    arrive on it. No answer on a serial line, no: the RTU framer resynchronises,
    and the other meters on the bus keep using it. A meter that answered (an
    exception code, a short answer) leaves the link as it is.
    """
    if kind is FailureKind.UNREACHABLE:
        return True
    if kind is FailureKind.NO_ANSWER:
        return not serial
    return False
