"""The send stage: drain one meter's spooled readings to the portal, and act on each answer.

A sender posts the meter's queue oldest-first in batches of up to
``batch_size`` to ``POST /api/ingest/measurements`` with the meter's device
token. What it then does with the batch (delete, park, halve, back off) is
``decisions.decide_send``'s call; the sender reads the answer and carries the
decision out. Once caught up it posts at most every ``send_interval_seconds``,
so polling faster makes fuller batches rather than more requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import ssl
from collections.abc import Callable
from datetime import datetime
from typing import assert_never

import httpx
import structlog

from power_portal import __version__
from power_portal.collector.config import CollectorConfig, RtuMeter, TcpMeter
from power_portal.collector.decisions import (
    Acknowledge,
    Park,
    Retry,
    RetryPolicy,
    SendAction,
    SendOutcome,
    SendPolicy,
    SendState,
    Shrink,
    decide_send,
    describe_outcome,
)
from power_portal.collector.spool import Spool, SpooledReading, SpoolError
from power_portal.collector.status import MeterState

log = structlog.get_logger(__name__)

INGEST_PATH = "/api/ingest/measurements"
MAX_REASON_CHARS = 500


def ingest_body(rows: list[SpooledReading]) -> bytes:
    """``{"measurements": [...]}`` from spooled rows, without parsing them again."""
    return ('{"measurements":[' + ",".join(row.body for row in rows) + "]}").encode()


def refused_row_indexes(detail: object, batch_length: int) -> set[int]:
    """Row indexes a 422 names (``loc: ["body", "measurements", <row>, <field>]``)."""
    indexes: set[int] = set()
    if not isinstance(detail, list):
        return indexes
    for problem in detail:
        if not isinstance(problem, dict):
            continue
        loc = problem.get("loc")
        if (
            isinstance(loc, list)
            and len(loc) >= 3
            and loc[:2] == ["body", "measurements"]
            and isinstance(loc[2], int)
            and 0 <= loc[2] < batch_length
        ):
            indexes.add(loc[2])
    return indexes


def read_answer(response: httpx.Response, batch_length: int) -> SendOutcome:
    """The facts of the portal's answer to a batch of ``batch_length`` readings."""
    code = response.status_code
    if 200 <= code < 300:
        accepted = duplicates = 0
        with contextlib.suppress(ValueError, KeyError, TypeError):
            answer = response.json()
            accepted, duplicates = int(answer["accepted"]), int(answer["duplicates"])
        return SendOutcome(code, accepted=accepted, duplicates=duplicates)
    if 300 <= code < 400:
        return SendOutcome(code, location=response.headers.get("Location", "?"))
    detail: object = None
    with contextlib.suppress(ValueError):
        answer = response.json()
        detail = answer.get("detail") if isinstance(answer, dict) else answer
    text = json.dumps(detail) if detail is not None else response.text
    retry_after = None
    with contextlib.suppress(TypeError, ValueError):
        retry_after = float(response.headers.get("Retry-After", ""))
    return SendOutcome(
        code,
        text=text[:MAX_REASON_CHARS],
        retry_after=retry_after,
        named_rows=frozenset(refused_row_indexes(detail, batch_length)),
    )


def portal_client(config: CollectorConfig) -> httpx.AsyncClient:
    """The HTTP client the senders share (TLS as the config says)."""
    verify: ssl.SSLContext | bool = config.verify_tls
    if config.verify_tls and config.ca_file is not None:
        verify = ssl.create_default_context(cafile=str(config.ca_file))
    return httpx.AsyncClient(
        base_url=config.base_url,
        timeout=config.http_timeout_seconds,
        verify=verify,
        headers={"User-Agent": f"power-portal-collector/{__version__}"},
    )


class Sender:
    """Sends one meter's spooled readings until ``stop``; ``wake`` says new ones are in."""

    def __init__(
        self,
        meter: TcpMeter | RtuMeter,
        state: MeterState,
        spool: Spool,
        http: httpx.AsyncClient,
        config: CollectorConfig,
        *,
        clock: Callable[[], datetime],
    ) -> None:
        self.meter = meter
        self.state = state
        self.spool = spool
        self.http = http
        self.clock = clock
        self.policy = SendPolicy(
            config.batch_size, RetryPolicy(config.retry_initial_seconds, config.retry_max_seconds)
        )
        self.send_interval = config.send_interval_seconds
        self.ingest_url = f"{config.base_url}{INGEST_PATH}"
        self._wakeup = asyncio.Event()
        self._running = True

    def wake(self) -> None:
        self._wakeup.set()

    def stop(self) -> None:
        """An idle sender returns at once; one posting finishes its batch (without back-off)."""
        self._running = False
        self._wakeup.set()

    async def run(self) -> None:
        state = self.state
        loop = asyncio.get_running_loop()
        token = self.meter.resolved_token()
        headers = {
            "Authorization": f"Bearer {token.get_secret_value()}",
            "Content-Type": "application/json",
        }
        while self._running:
            self._wakeup.clear()
            try:
                asked = state.batch_size
                batch = await asyncio.to_thread(self.spool.oldest, state.name, asked)
                if not batch:
                    await self._wakeup.wait()
                    continue
                state.posting = True
                posted_at = loop.time()
                try:
                    outcome = await self._post(batch, headers)
                    action = decide_send(
                        outcome,
                        SendState(len(batch), asked, state.consecutive_send_failures),
                        self.policy,
                    )
                    await self._carry_out(action, batch, outcome, sleep=self._running)
                finally:
                    state.posting = False
                if isinstance(action, Acknowledge) and action.pace and self._running:
                    # live: at most one POST per send_interval_seconds, so a fast poll
                    # interval makes fuller batches, not more requests (a backlog goes
                    # back to back)
                    await asyncio.sleep(max(0.0, posted_at + self.send_interval - loop.time()))
            except (sqlite3.Error, SpoolError) as exc:
                log.error("collector.spool_read_failed", meter=state.name, error=str(exc))
                await asyncio.sleep(self.policy.retry.max_seconds)
            except Exception:  # a bug must not stop the sender
                log.exception("collector.send_unexpected_error", meter=state.name)
                await asyncio.sleep(self.policy.retry.max_seconds)

    async def _post(self, batch: list[SpooledReading], headers: dict[str, str]) -> SendOutcome:
        try:
            response = await self.http.post(
                INGEST_PATH, content=ingest_body(batch), headers=headers
            )
        except httpx.TransportError as exc:
            return SendOutcome(None, text=f"{type(exc).__name__}: {exc or 'no detail'}")
        return read_answer(response, len(batch))

    async def _carry_out(
        self,
        action: SendAction,
        batch: list[SpooledReading],
        outcome: SendOutcome,
        *,
        sleep: bool,
    ) -> None:
        """Acknowledge, shrink, park or keep the batch; after a failure back off (if ``sleep``)."""
        match action:
            case Acknowledge():
                await self._acknowledge(action, batch, outcome)
            case Shrink():
                self.state.batch_size = action.next_batch_size
                log.warning(
                    "collector.batch_too_large",
                    meter=self.state.name,
                    new_batch_size=action.next_batch_size,
                )
            case Park():
                await self._park([batch[i] for i in action.rows], len(batch), outcome)
            case Retry():
                await self._retry(action, outcome, sleep=sleep)
            case _:
                assert_never(action)

    async def _acknowledge(
        self, action: Acknowledge, batch: list[SpooledReading], outcome: SendOutcome
    ) -> None:
        # The portal has them: the state says so at once; the delete below may be cut
        # short by a stop (then they are re-sent at the next start, as duplicates).
        state = self.state
        recovered_after = state.consecutive_send_failures
        state.consecutive_send_failures = 0
        state.sent += len(batch)
        state.duplicates += outcome.duplicates
        state.last_sent_at = self.clock()
        state.batch_size = action.next_batch_size
        await asyncio.to_thread(self.spool.acknowledge, state.name, [row.id for row in batch])
        if recovered_after:
            log.info(
                "collector.portal_reachable_again",
                meter=state.name,
                after_failures=recovered_after,
                still_spooled=self.spool.depth(state.name),
            )
        if outcome.duplicates:
            log.info(
                "collector.portal_had_some_already",
                meter=state.name,
                duplicates=outcome.duplicates,
                hint="a batch was re-sent after an unacknowledged attempt; nothing doubles",
            )

    async def _park(
        self, rows: list[SpooledReading], batch_length: int, outcome: SendOutcome
    ) -> None:
        state = self.state
        reason = describe_outcome(outcome, self.ingest_url)
        state.parked += len(rows)
        await asyncio.to_thread(self.spool.park, state.name, [row.id for row in rows], reason)
        log.error(
            "collector.readings_refused_parked",
            meter=state.name,
            parked=len(rows),
            of_batch=batch_length,
            first_parked_time=rows[0].taken_at,
            portal_said=reason,
            hint="parked readings stay in the spool; after fixing the cause run "
            "portal collect --requeue-parked",
        )

    async def _retry(self, retry: Retry, outcome: SendOutcome, *, sleep: bool) -> None:
        state = self.state
        message = describe_outcome(outcome, self.ingest_url)
        state.consecutive_send_failures = retry.failures
        state.last_send_error = message
        if retry.report:
            level = log.error if retry.configuration_problem else log.warning
            level(
                "collector.send_failed",
                meter=state.name,
                error=message,
                failures_in_a_row=retry.failures,
                spooled=self.spool.depth(state.name),
                retry_in_seconds=round(retry.delay_seconds, 2),
            )
        if sleep:
            await asyncio.sleep(retry.delay_seconds)
