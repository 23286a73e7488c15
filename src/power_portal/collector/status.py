"""Per-meter counters (``MeterState``) the poll and send stages keep, and the status lines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import structlog

from power_portal.collector.spool import Spool

log = structlog.get_logger(__name__)


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

    @property
    def last_error(self) -> str | None:
        """The meter's error while it fails, else the portal's while sending fails."""
        if not self.meter_ok:
            return self.last_poll_error
        if not self.portal_ok:
            return self.last_send_error
        return None


def log_status(states: Iterable[MeterState], spool: Spool, now: datetime) -> None:
    """One line per meter, then one for the spool."""
    for state in states:
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
            spooled=spool.depth(state.name),
            parked=state.parked or None,
            last_error=state.last_error,
        )
    log.info(
        "collector.spool",
        spooled=spool.depth(),
        max_readings=spool.max_readings,
        parked=spool.parked_count(),
        dropped_total=spool.dropped_total(),
    )
