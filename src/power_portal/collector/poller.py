"""The poll stage: read one meter every interval, keep its counters, hand each reading to the spool.

Missed ticks are skipped, never bunched. A failure (refused, no answer,
exception code) is logged and retried after a back-off
(``retry_initial_seconds`` doubling to ``retry_max_seconds``); a poller never
stops on its meter's failure, and one meter's failure never stops another's.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import structlog

from power_portal.collector.config import CollectorConfig, RtuMeter, TcpMeter
from power_portal.collector.decisions import (
    RetryPolicy,
    after_poll_failure,
    next_poll_at,
    reading_time,
)
from power_portal.collector.modbus import MeterReadError, ModbusLink, Reading
from power_portal.collector.spool import NewReading
from power_portal.collector.status import MeterState

log = structlog.get_logger(__name__)

EARLIEST_VALID_TIME = datetime(2000, 1, 1, tzinfo=UTC)  # the portal refuses older rows


def ingest_row(reading: Reading) -> dict[str, Any]:
    """A reading as one row of the ingest contract."""
    return {"time": reading.taken_at.isoformat(), **reading.decoded.values}


def spooled(reading: Reading) -> NewReading:
    """A reading as the spool keeps it: the ingest row already as JSON."""
    return NewReading(
        reading.meter,
        reading.taken_at.astimezone(UTC).isoformat(),
        json.dumps(ingest_row(reading), separators=(",", ":")),
    )


class Poller:
    """Polls one meter on its link until ``stop``; every reading goes to ``spool``."""

    def __init__(
        self,
        meter: TcpMeter | RtuMeter,
        state: MeterState,
        link: ModbusLink,
        config: CollectorConfig,
        *,
        clock: Callable[[], datetime],
        spool: Callable[[NewReading], Awaitable[None]],
    ) -> None:
        self.meter = meter
        self.state = state
        self.link = link
        self.interval = config.interval_seconds
        self.retry = RetryPolicy(config.retry_initial_seconds, config.retry_max_seconds)
        self.clock = clock
        self.spool = spool
        self._running = True

    def stop(self) -> None:
        """The loop ends at its next turn (a cancellation swallowed on the way cannot keep it)."""
        self._running = False

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        meter = self.meter
        next_tick = loop.time()
        while self._running:
            taken_at = self._reading_time()
            if taken_at < EARLIEST_VALID_TIME:
                log.error(
                    "collector.clock_not_set",
                    meter=meter.name,
                    now=taken_at.isoformat(),
                    hint="the system clock is before 2000 (no RTC, no NTP yet?); "
                    "the portal would refuse these readings, so none are taken",
                )
                await asyncio.sleep(self.interval)
                continue
            try:
                reading = await self.link.read_meter(meter.name, meter.unit_id, taken_at)
            except MeterReadError as exc:
                await self._failed(str(exc))
                next_tick = loop.time()
                continue
            except Exception as exc:  # a bug must not stop the other meters
                log.exception("collector.poll_unexpected_error", meter=meter.name)
                await self._failed(f"unexpected error: {exc!r}")
                next_tick = loop.time()
                continue
            self._succeeded(reading)
            await self.spool(spooled(reading))
            now = loop.time()
            next_tick = next_poll_at(next_tick, self.interval, now)
            await asyncio.sleep(next_tick - now)

    def _reading_time(self) -> datetime:
        decided = reading_time(self.clock(), self.state.last_time)
        if decided.clock_went_back_by is not None:
            log.warning(
                "collector.clock_went_back",
                meter=self.state.name,
                by_seconds=round(decided.clock_went_back_by.total_seconds(), 3),
                hint="readings at times the portal already has count as duplicates there",
            )
        return decided.at

    async def _failed(self, message: str) -> None:
        state = self.state
        retry = after_poll_failure(state.consecutive_poll_failures, self.retry)
        state.polls_failed += 1
        state.consecutive_poll_failures = retry.failures
        state.last_poll_error = message
        if retry.report:
            log.warning(
                "collector.meter_failed",
                meter=state.name,
                error=message,
                failures_in_a_row=retry.failures,
                retry_in_seconds=round(retry.delay_seconds, 2),
            )
        await asyncio.sleep(retry.delay_seconds)

    def _succeeded(self, reading: Reading) -> None:
        state = self.state
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
