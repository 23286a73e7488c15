"""The collector loop: poll each meter, spool every reading, send batches to the portal.

Per meter, two tasks:

- the **poller** reads the meter every ``interval_seconds`` (missed ticks are
  skipped, never bunched) and hands the reading to the spool writer; a
  failure (refused, no answer, exception code) is logged and retried after a
  back-off (``retry_initial_seconds`` doubling to ``retry_max_seconds``); the
  loop itself never stops on a meter's failure;
- the **sender** drains the meter's queue oldest-first in batches of up to
  ``batch_size`` to ``POST /api/ingest/measurements`` with the meter's device
  token, and deletes a batch from the spool only after a 2xx. Once caught up
  it posts at most every ``send_interval_seconds``, so polling faster makes
  fuller batches rather than more requests.

One **spool writer** commits what the pollers produced since its last commit
in one transaction (group commit), so many meters cost one disk sync, not
one each. Pollers do not wait for the disk (unless the writer falls
``MAX_PENDING_READINGS`` behind); senders only ever read committed readings.

What the sender does with each answer:

========================  =====================================================
2xx                       acknowledged: deleted from the spool
5xx, network error,       kept; retried after a back-off (``Retry-After`` for
timeout, 429              429). Nothing is lost while the portal is away.
401 / 403                 kept; logged as an error (token wrong or revoked);
                          retried at ``retry_max_seconds``: fix the token and
                          the backlog flows
404 / 405, 3xx            kept; logged as an error (``portal_url`` is wrong, or
                          redirects: give the final URL); retried
413                       the batch is halved (down to 1) and retried
422                       the rows the portal names are *parked* (moved aside
                          in the spool with the portal's message), the rest
                          are retried at once; if no row is named, the whole
                          batch is parked
400 / 415                 the batch is parked (our body is at fault: a bug)
========================  =====================================================

Parking, not deleting and not retrying: a 422 is the portal's final word on
those rows (the same body would be refused forever), so retrying would block
every later reading of that meter behind them; deleting would lose them
silently. Parked rows stay in the spool file, are counted in the status
lines, and ``portal collect --requeue-parked`` puts them back once the cause
(usually the collector's clock) is fixed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import sqlite3
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import httpx
import structlog

from power_portal import __version__
from power_portal.collector.config import CollectorConfig, RtuMeter, TcpMeter
from power_portal.collector.poller import (
    MeterReadError,
    ModbusLink,
    Reading,
    make_links,
    quiet_libraries,
)
from power_portal.collector.spool import NewReading, Spool, SpooledReading, SpoolError

log = structlog.get_logger(__name__)

INGEST_PATH = "/api/ingest/measurements"
EARLIEST_VALID_TIME = datetime(2000, 1, 1, tzinfo=UTC)  # the portal refuses older rows
CLOCK_JITTER = timedelta(seconds=1)  # a step back smaller than this is smoothed over
REPORT_EVERY_N_FAILURES = 10  # after the first failure, log every n-th one (status shows all)
MAX_PENDING_READINGS = 10_000  # pollers wait for the spool writer beyond this
MAX_REASON_CHARS = 500


def utc_now() -> datetime:
    return datetime.now(UTC)


def backoff_seconds(failures: int, initial: float, maximum: float) -> float:
    """Wait after the n-th failure in a row: initial, 2x, 4x … capped at ``maximum``."""
    if failures <= 0:
        return 0.0
    return float(min(maximum, initial * 2 ** min(failures - 1, 30)))


def ingest_row(reading: Reading) -> dict[str, Any]:
    """A reading as one row of the ingest contract."""
    return {"time": reading.taken_at.isoformat(), **reading.decoded.values}


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


class SendResult(StrEnum):
    ACKNOWLEDGED = "acknowledged"
    RETRY = "retry"
    TOO_LARGE = "too_large"
    REFUSED = "refused"


@dataclass(frozen=True)
class SendOutcome:
    result: SendResult
    status: int | None
    message: str
    accepted: int = 0
    duplicates: int = 0
    retry_after: float | None = None
    refused_indexes: frozenset[int] = frozenset()


@dataclass
class MeterState:
    """What the status lines report for one meter."""

    name: str
    endpoint: str
    unit_id: int
    readings_taken: int = 0
    polls_failed: int = 0
    consecutive_poll_failures: int = 0
    last_poll_error: str | None = None
    last_reading_at: datetime | None = None
    last_power_kw: float | None = None
    last_energy_import_kwh: float | None = None
    bad_registers: frozenset[str] = frozenset()
    sent: int = 0
    duplicates: int = 0
    parked: int = 0
    consecutive_send_failures: int = 0
    last_send_error: str | None = None
    last_sent_at: datetime | None = None
    batch_size: int = 0
    posting: bool = False  # a POST is in flight (a stop lets it finish)
    last_time: datetime | None = field(default=None, repr=False)

    @property
    def meter_ok(self) -> bool:
        return self.consecutive_poll_failures == 0

    @property
    def meter_label(self) -> str:
        if self.consecutive_poll_failures:
            return "FAILING"
        return "ok" if self.readings_taken else "starting"

    @property
    def portal_ok(self) -> bool:
        return self.consecutive_send_failures == 0


class Collector:
    """Polls the configured meters and feeds the portal until ``stop`` is set."""

    def __init__(
        self,
        config: CollectorConfig,
        *,
        spool: Spool | None = None,
        links: dict[str, ModbusLink] | None = None,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        quiet_libraries()
        self.config = config
        self._owns_spool = spool is None
        self.spool = spool or Spool(
            config.spool_path, config.spool_max_readings, sync=config.spool_sync
        )
        self.links = links if links is not None else make_links(config)
        self._owns_http = http is None
        self.http = http or httpx.AsyncClient(
            base_url=config.base_url,
            timeout=config.http_timeout_seconds,
            verify=self._tls_verify(config),
            headers={"User-Agent": f"power-portal-collector/{__version__}"},
        )
        self.clock = clock
        self.states: dict[str, MeterState] = {
            meter.name: MeterState(
                meter.name, meter.link_key, meter.unit_id, batch_size=config.batch_size
            )
            for meter in config.meters
        }
        self._pending: list[NewReading] = []
        self._backpressure: list[asyncio.Future[None]] = []
        self._pending_event = asyncio.Event()
        self._writer_closing = False
        self._polling = True
        self._sending = True
        self._wakeups: dict[str, asyncio.Event] = {m.name: asyncio.Event() for m in config.meters}
        self.spool_write_failures = 0

    @staticmethod
    def _tls_verify(config: CollectorConfig) -> ssl.SSLContext | bool:
        if not config.verify_tls:
            return False
        if config.ca_file is not None:
            return ssl.create_default_context(cafile=str(config.ca_file))
        return True

    # ------------------------------------------------------------ running

    async def run(self, stop: asyncio.Event) -> None:
        """Poll, spool and send until ``stop`` is set; the spool keeps what is unsent."""
        self._log_start()
        writer = asyncio.create_task(self._spool_writer(), name="collector spool writer")
        pollers = [
            asyncio.create_task(self._poll_loop(meter), name=f"poll {meter.name}")
            for meter in self.config.meters
        ]
        senders = [
            asyncio.create_task(self._send_loop(meter), name=f"send {meter.name}")
            for meter in self.config.meters
        ]
        status = asyncio.create_task(self._status_loop(), name="collector status")
        try:
            await stop.wait()
        finally:
            # The flags end the loops even when a cancellation is swallowed on the way
            # (asyncio.wait_for inside pymodbus can do that when an answer arrives at the
            # same moment).
            self._polling = False
            for task in [*pollers, status]:
                task.cancel()
            await asyncio.gather(*pollers, status, return_exceptions=True)
            self._writer_closing = True
            self._pending_event.set()
            await asyncio.gather(writer, return_exceptions=True)
            await self._stop_senders(senders)
            for link in self.links.values():
                link.close()
            if self._owns_http:
                await self.http.aclose()
            self.log_status()
            log.info("collector.stopped", spooled=self.spool.depth())
            if self._owns_spool:
                self.spool.close()

    async def _stop_senders(self, senders: list[asyncio.Task[None]]) -> None:
        """Let a POST in flight finish (so its answer is not lost), then stop every sender."""
        self._sending = False
        for wakeup in self._wakeups.values():
            wakeup.set()  # an idle sender wakes up, sees the flag and returns
        in_flight = [
            task
            for task, meter in zip(senders, self.config.meters, strict=True)
            if self.states[meter.name].posting
        ]
        for task, meter in zip(senders, self.config.meters, strict=True):
            if not self.states[meter.name].posting:
                task.cancel()
        if in_flight:
            await asyncio.wait(in_flight, timeout=min(self.config.http_timeout_seconds, 10.0))
        for task in senders:
            task.cancel()
        await asyncio.gather(*senders, return_exceptions=True)

    def _log_start(self) -> None:
        log.info(
            "collector.started",
            portal=self.config.base_url,
            interval_seconds=self.config.interval_seconds,
            meters=[f"{m.name} (unit {m.unit_id} on {m.link_key})" for m in self.config.meters],
            spool=str(self.spool.path),
            spooled=self.spool.depth(),
            spool_max_readings=self.spool.max_readings,
        )
        unknown = set(self.spool.depths()) - set(self.states)
        if unknown:
            log.warning(
                "collector.spool_has_unknown_meters",
                meters=sorted(unknown),
                spooled={m: self.spool.depth(m) for m in sorted(unknown)},
                hint="readings of meters no longer in the config stay in the spool unsent; "
                "restore the meter's entry (same name) to send them",
            )
        parked = self.spool.parked_count()
        if parked:
            log.warning(
                "collector.parked_readings",
                parked=parked,
                hint="the portal refused these (422); fix the cause, then run "
                "portal collect --requeue-parked",
            )

    # ------------------------------------------------------------ spool writer

    async def _spool(self, reading: NewReading) -> None:
        """Queue a reading for the writer's next commit; waits only when the writer is behind.

        The poller does not wait for the disk (a slow sync must not delay the next
        poll); senders only ever see committed readings.
        """
        self._pending.append(reading)
        self._pending_event.set()
        if len(self._pending) >= MAX_PENDING_READINGS:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._backpressure.append(waiter)
            await waiter

    async def _spool_writer(self) -> None:
        """Commit whatever the pollers queued since the last commit, in one transaction."""
        while True:
            await self._pending_event.wait()
            self._pending_event.clear()
            readings, self._pending = self._pending, []
            if readings:
                try:
                    await asyncio.to_thread(self.spool.add, readings)
                except (sqlite3.Error, SpoolError, OSError) as exc:
                    self.spool_write_failures += 1
                    log.error(
                        "collector.spool_write_failed",
                        lost_readings=len(readings),
                        spool=str(self.spool.path),
                        error=str(exc),
                        hint="disk full or the spool file damaged? these readings are lost",
                    )
                else:
                    for meter in {reading.meter for reading in readings}:
                        wakeup = self._wakeups.get(meter)
                        if wakeup is not None:
                            wakeup.set()
                waiters, self._backpressure = self._backpressure, []
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_result(None)
            if self._writer_closing and not self._pending:
                return

    # ------------------------------------------------------------ polling

    def _reading_time(self, state: MeterState) -> datetime:
        now = self.clock()
        last = state.last_time
        if last is None or now > last:
            return now
        if last - now < CLOCK_JITTER:
            # strictly increasing per meter: the portal keys readings by (device, time)
            return last + timedelta(microseconds=1)
        log.warning(
            "collector.clock_went_back",
            meter=state.name,
            by_seconds=round((last - now).total_seconds(), 3),
            hint="readings at times the portal already has count as duplicates there",
        )
        return now

    async def _poll_loop(self, meter: TcpMeter | RtuMeter) -> None:
        loop = asyncio.get_running_loop()
        state = self.states[meter.name]
        link = self.links[meter.link_key]
        interval = self.config.interval_seconds
        next_tick = loop.time()
        while self._polling:
            taken_at = self._reading_time(state)
            if taken_at < EARLIEST_VALID_TIME:
                log.error(
                    "collector.clock_not_set",
                    meter=meter.name,
                    now=taken_at.isoformat(),
                    hint="the system clock is before 2000 (no RTC, no NTP yet?); "
                    "the portal would refuse these readings, so none are taken",
                )
                await asyncio.sleep(interval)
                continue
            try:
                reading = await link.read_meter(meter.name, meter.unit_id, taken_at)
            except MeterReadError as exc:
                await self._poll_failed(state, str(exc))
                next_tick = loop.time()
                continue
            except Exception as exc:  # a bug must not stop the other meters
                log.exception("collector.poll_unexpected_error", meter=meter.name)
                await self._poll_failed(state, f"unexpected error: {exc!r}")
                next_tick = loop.time()
                continue
            self._poll_succeeded(state, reading)
            await self._spool(
                NewReading(
                    meter.name,
                    reading.taken_at.astimezone(UTC).isoformat(),
                    json.dumps(ingest_row(reading), separators=(",", ":")),
                )
            )
            next_tick += interval
            now = loop.time()
            if next_tick < now:  # too slow for the interval: skip ticks, do not bunch
                next_tick = now
            await asyncio.sleep(next_tick - now)

    async def _poll_failed(self, state: MeterState, message: str) -> None:
        state.polls_failed += 1
        state.consecutive_poll_failures += 1
        state.last_poll_error = message
        delay = backoff_seconds(
            state.consecutive_poll_failures,
            self.config.retry_initial_seconds,
            self.config.retry_max_seconds,
        )
        if (
            state.consecutive_poll_failures == 1
            or state.consecutive_poll_failures % REPORT_EVERY_N_FAILURES == 0
        ):
            log.warning(
                "collector.meter_failed",
                meter=state.name,
                error=message,
                failures_in_a_row=state.consecutive_poll_failures,
                retry_in_seconds=round(delay, 2),
            )
        await asyncio.sleep(delay)

    def _poll_succeeded(self, state: MeterState, reading: Reading) -> None:
        if state.consecutive_poll_failures:
            log.info(
                "collector.meter_recovered",
                meter=state.name,
                after_failures=state.consecutive_poll_failures,
            )
        state.consecutive_poll_failures = 0
        state.readings_taken += 1
        state.last_time = reading.taken_at
        state.last_reading_at = reading.taken_at
        values = reading.decoded.values
        state.last_power_kw = values.get("power_kw")
        state.last_energy_import_kwh = values.get("energy_import_kwh")
        if state.readings_taken == 1:
            log.info(
                "collector.meter_answers",
                meter=state.name,
                endpoint=f"unit {state.unit_id} on {state.endpoint}",
                power_kw=state.last_power_kw,
                energy_import_kwh=state.last_energy_import_kwh,
            )
        bad = frozenset(problem.describe() for problem in reading.decoded.problems)
        if bad != state.bad_registers:
            if bad:
                log.warning(
                    "collector.registers_not_sent",
                    meter=state.name,
                    problems=sorted(bad),
                    hint="these values are left out of the readings while they stay invalid",
                )
            else:
                log.info("collector.registers_valid_again", meter=state.name)
            state.bad_registers = bad

    # ------------------------------------------------------------ sending

    async def _send_loop(self, meter: TcpMeter | RtuMeter) -> None:
        state = self.states[meter.name]
        wakeup = self._wakeups[meter.name]
        loop = asyncio.get_running_loop()
        token = meter.resolved_token()
        headers = {
            "Authorization": f"Bearer {token.get_secret_value()}",
            "Content-Type": "application/json",
        }
        while self._sending:
            wakeup.clear()
            try:
                asked = state.batch_size
                batch = await asyncio.to_thread(self.spool.oldest, meter.name, asked)
                if not batch:
                    await wakeup.wait()
                    continue
                state.posting = True
                posted_at = loop.time()
                try:
                    outcome = await self._post(batch, headers)
                    await self._handle_outcome(state, batch, outcome, sleep=self._sending)
                finally:
                    state.posting = False
                caught_up = len(batch) < asked  # the queue held less than a full batch
                if outcome.result is SendResult.ACKNOWLEDGED and caught_up and self._sending:
                    # live: at most one POST per send_interval_seconds, so a fast poll
                    # interval makes fuller batches, not more requests (a backlog goes
                    # back to back)
                    await asyncio.sleep(
                        max(0.0, posted_at + self.config.send_interval_seconds - loop.time())
                    )
            except (sqlite3.Error, SpoolError) as exc:
                log.error("collector.spool_read_failed", meter=meter.name, error=str(exc))
                await asyncio.sleep(self.config.retry_max_seconds)
            except Exception:  # a bug must not stop the sender
                log.exception("collector.send_unexpected_error", meter=meter.name)
                await asyncio.sleep(self.config.retry_max_seconds)

    async def _post(self, batch: list[SpooledReading], headers: dict[str, str]) -> SendOutcome:
        try:
            response = await self.http.post(
                INGEST_PATH, content=ingest_body(batch), headers=headers
            )
        except httpx.TransportError as exc:
            return SendOutcome(
                SendResult.RETRY,
                None,
                f"portal unreachable ({type(exc).__name__}: {exc or 'no detail'})",
            )
        code = response.status_code
        if 200 <= code < 300:
            accepted = duplicates = 0
            with contextlib.suppress(ValueError, KeyError, TypeError):
                answer = response.json()
                accepted, duplicates = int(answer["accepted"]), int(answer["duplicates"])
            return SendOutcome(SendResult.ACKNOWLEDGED, code, "ok", accepted, duplicates)
        if 300 <= code < 400:
            location = response.headers.get("Location", "?")
            return SendOutcome(
                SendResult.RETRY,
                code,
                f"{code}: the portal redirects to {location}; set portal_url to the final URL",
            )
        detail: object = None
        with contextlib.suppress(ValueError):
            answer = response.json()
            detail = answer.get("detail") if isinstance(answer, dict) else answer
        text = json.dumps(detail) if detail is not None else response.text[:MAX_REASON_CHARS]
        text = text[:MAX_REASON_CHARS]
        if code == 413:
            return SendOutcome(SendResult.TOO_LARGE, code, f"413 body too large: {text}")
        if code == 422:
            indexes = refused_row_indexes(detail, len(batch))
            return SendOutcome(
                SendResult.REFUSED, code, f"422 refused: {text}", refused_indexes=frozenset(indexes)
            )
        if code in (400, 415):
            return SendOutcome(SendResult.REFUSED, code, f"{code} refused the body: {text}")
        if code in (401, 403):
            message = f"{code}: the portal refused this meter's device token (wrong or revoked?)"
            return SendOutcome(SendResult.RETRY, code, message)
        if code in (404, 405):
            message = f"{code}: no ingest API at {self.config.base_url}{INGEST_PATH} (portal_url?)"
            return SendOutcome(SendResult.RETRY, code, message)
        retry_after = None
        if code == 429:
            with contextlib.suppress(TypeError, ValueError):
                retry_after = float(response.headers.get("Retry-After", ""))
        return SendOutcome(SendResult.RETRY, code, f"{code}: {text}", retry_after=retry_after)

    async def _handle_outcome(
        self,
        state: MeterState,
        batch: list[SpooledReading],
        outcome: SendOutcome,
        *,
        sleep: bool = True,
    ) -> None:
        """Acknowledge, park or keep the batch; after a failure, back off (when ``sleep``)."""
        ids = [row.id for row in batch]
        if outcome.result is SendResult.ACKNOWLEDGED:
            # The portal has them: the state says so at once; the delete below may be cut
            # short by a stop (then they are re-sent at the next start, as duplicates).
            recovered_after = state.consecutive_send_failures
            state.consecutive_send_failures = 0
            state.sent += len(batch)
            state.duplicates += outcome.duplicates
            state.last_sent_at = self.clock()
            state.batch_size = min(self.config.batch_size, state.batch_size * 2)
            await asyncio.to_thread(self.spool.acknowledge, state.name, ids)
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
            return
        if outcome.result is SendResult.TOO_LARGE:
            if len(batch) > 1:
                state.batch_size = max(1, len(batch) // 2)
                log.warning(
                    "collector.batch_too_large", meter=state.name, new_batch_size=state.batch_size
                )
                return
            outcome = SendOutcome(SendResult.REFUSED, outcome.status, outcome.message)
        if outcome.result is SendResult.REFUSED:
            named = [batch[i].id for i in sorted(outcome.refused_indexes)]
            to_park = named or ids
            state.parked += len(to_park)
            await asyncio.to_thread(self.spool.park, state.name, to_park, outcome.message)
            log.error(
                "collector.readings_refused_parked",
                meter=state.name,
                parked=len(to_park),
                of_batch=len(batch),
                first_parked_time=next(r.taken_at for r in batch if r.id in set(to_park)),
                portal_said=outcome.message,
                hint="parked readings stay in the spool; after fixing the cause run "
                "portal collect --requeue-parked",
            )
            return
        # RETRY
        state.consecutive_send_failures += 1
        state.last_send_error = outcome.message
        delay = backoff_seconds(
            state.consecutive_send_failures,
            self.config.retry_initial_seconds,
            self.config.retry_max_seconds,
        )
        if outcome.status in (401, 403):
            delay = self.config.retry_max_seconds
        if outcome.retry_after is not None and math.isfinite(outcome.retry_after):
            delay = max(0.0, min(outcome.retry_after, self.config.retry_max_seconds * 10))
        if (
            state.consecutive_send_failures == 1
            or state.consecutive_send_failures % REPORT_EVERY_N_FAILURES == 0
        ):
            configuration_problem = outcome.status is not None and (
                300 <= outcome.status < 400 or outcome.status in (401, 403, 404, 405)
            )
            level = log.error if configuration_problem else log.warning
            level(
                "collector.send_failed",
                meter=state.name,
                error=outcome.message,
                failures_in_a_row=state.consecutive_send_failures,
                spooled=self.spool.depth(state.name),
                retry_in_seconds=round(delay, 2),
            )
        if sleep:
            await asyncio.sleep(delay)

    # ------------------------------------------------------------ status

    async def _status_loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.status_interval_seconds)
            self.log_status()

    def log_status(self) -> None:
        now = self.clock()
        for state in self.states.values():
            age = (
                round((now - state.last_reading_at).total_seconds(), 1)
                if state.last_reading_at is not None
                else None
            )
            log.info(
                "collector.status",
                meter=state.name,
                meter_state=state.meter_label,
                portal="ok" if state.portal_ok else "FAILING",
                power_kw=state.last_power_kw,
                energy_import_kwh=state.last_energy_import_kwh,
                last_reading_age_s=age,
                readings=state.readings_taken,
                failed_polls=state.polls_failed,
                sent=state.sent,
                spooled=self.spool.depth(state.name),
                parked=state.parked or None,
                last_error=(
                    state.last_poll_error
                    if not state.meter_ok
                    else state.last_send_error
                    if not state.portal_ok
                    else None
                ),
            )
        log.info(
            "collector.spool",
            spooled=self.spool.depth(),
            max_readings=self.spool.max_readings,
            parked=self.spool.parked_count(),
            dropped_total=self.spool.dropped_total(),
        )
