"""The collector: poll each meter, spool every reading, send batches to the portal.

``Collector`` wires the stages together and runs them until stopped:

- per meter, a **poller** (``poller.py``) reads the meter every
  ``interval_seconds`` over its Modbus link (``modbus.py``) and hands each
  reading to the spool writer;
- one **spool writer** (``spool_writer.py``) commits what the pollers read
  since its last commit into the SQLite spool (``spool.py``) in one
  transaction;
- per meter, a **sender** (``sender.py``) posts the meter's spooled readings
  oldest-first to the portal and deletes a batch only after a 2xx; what it
  does with every other answer is decided in ``decisions.py``;
- the **status lines** (``status.py``) sum each meter up every
  ``status_interval_seconds``.

Parking, not deleting and not retrying: a 422 is the portal's final word on
those rows (the same body would be refused forever), so retrying would block
every later reading of that meter behind them; deleting would lose them
silently. Parked rows stay in the spool file, are counted in the status
lines, and ``portal collect --requeue-parked`` puts them back once the cause
(usually the collector's clock) is fixed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import structlog

from power_portal.collector.config import CollectorConfig
from power_portal.collector.modbus import ModbusLink, make_links, quiet_libraries
from power_portal.collector.poller import Poller
from power_portal.collector.sender import Sender, portal_client
from power_portal.collector.spool import Spool
from power_portal.collector.spool_writer import SpoolWriter
from power_portal.collector.status import MeterState, log_status

log = structlog.get_logger(__name__)

MAX_STOP_WAIT_SECONDS = 10.0  # a POST in flight at a stop gets at most this long to finish


def utc_now() -> datetime:
    return datetime.now(UTC)


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
        self.http = http or portal_client(config)
        self.clock = clock
        self.states: dict[str, MeterState] = {
            meter.name: MeterState(
                meter.name, meter.link_key, meter.unit_id, batch_size=config.batch_size
            )
            for meter in config.meters
        }
        self.senders = {
            meter.name: Sender(
                meter, self.states[meter.name], self.spool, self.http, config, clock=clock
            )
            for meter in config.meters
        }
        self.writer = SpoolWriter(self.spool, committed=self._wake_sender)
        self.pollers = [
            Poller(
                meter,
                self.states[meter.name],
                self.links[meter.link_key],
                config,
                clock=clock,
                spool=self.writer.put,
            )
            for meter in config.meters
        ]

    def _wake_sender(self, meter: str) -> None:
        sender = self.senders.get(meter)  # a meter no longer in the config has none
        if sender is not None:
            sender.wake()

    async def run(self, stop: asyncio.Event) -> None:
        """Poll, spool and send until ``stop`` is set; the spool keeps what is unsent."""
        self._log_start()
        writer = asyncio.create_task(self.writer.run(), name="collector spool writer")
        pollers = [
            asyncio.create_task(poller.run(), name=f"poll {poller.meter.name}")
            for poller in self.pollers
        ]
        senders = {
            asyncio.create_task(sender.run(), name=f"send {name}"): sender
            for name, sender in self.senders.items()
        }
        status = asyncio.create_task(self._status_loop(), name="collector status")
        try:
            await stop.wait()
        finally:
            # The flags end the loops even when a cancellation is swallowed on the way
            # (asyncio.wait_for inside pymodbus can do that when an answer arrives at the
            # same moment).
            for poller in self.pollers:
                poller.stop()
            for task in [*pollers, status]:
                task.cancel()
            await asyncio.gather(*pollers, status, return_exceptions=True)
            self.writer.close()
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

    async def _stop_senders(self, senders: dict[asyncio.Task[None], Sender]) -> None:
        """Let a POST in flight finish (so its answer is not lost), then stop every sender."""
        for sender in senders.values():
            sender.stop()  # an idle sender wakes up, sees the flag and returns
        in_flight = [task for task, sender in senders.items() if sender.state.posting]
        for task, sender in senders.items():
            if not sender.state.posting:
                task.cancel()
        if in_flight:
            await asyncio.wait(
                in_flight, timeout=min(self.config.http_timeout_seconds, MAX_STOP_WAIT_SECONDS)
            )
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

    async def _status_loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.status_interval_seconds)
            self.log_status()

    def log_status(self) -> None:
        log_status(self.states.values(), self.spool, self.clock())
