"""``portal demo --live``: one demo meter keeps reporting, the way a real one would.

A simulated Acuvim II (the demo's incomer: its consumers' loads as one, registers
continuing from its last stored reading) is polled by an in-process
collector that sends to a running portal with a freshly issued device token
— the whole real path: Modbus, spool, HTTP ingest, rollups, dashboard.
Tokens this command issued before are revoked first, so repeated runs do not
pile up live tokens.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

import structlog
from pydantic import SecretStr

from power_portal.collector.config import CollectorConfig, TcpMeter
from power_portal.collector.service import Collector
from power_portal.collector.simulator import AcuvimModel, EnergyTotals, SimulatedMeterServer
from power_portal.db.engine import Database
from power_portal.demo.data import DEMO_LIVE_PROFILE
from power_portal.measurements import repository as readings
from power_portal.sites import repository as sites_repository
from power_portal.sites import service as sites_service

log = structlog.get_logger(__name__)

LIVE_TOKEN_LABEL = "portal demo --live"  # noqa: S105 - a label, not a secret
LIVE_PROFILE = DEMO_LIVE_PROFILE


class NoDemoSiteError(RuntimeError):
    pass


@dataclass(frozen=True)
class LiveDevice:
    device_id: int
    name: str
    token: str
    energy: EnergyTotals


async def prepare_live_device(database: Database) -> LiveDevice:
    """The demo meter to feed: a new token (older live tokens revoked), its last registers."""
    async with database.transaction() as session:
        device = await sites_repository.device_by_serial(session, LIVE_PROFILE.serial)
        if device is None:
            raise NoDemoSiteError(
                f"no demo meter {LIVE_PROFILE.serial} ({LIVE_PROFILE.name}): "
                "load the demo first with `portal demo`"
            )
        for token_id in await sites_repository.live_token_ids(session, device.id, LIVE_TOKEN_LABEL):
            await sites_service.revoke_token(session, device.id, token_id)
        issued = await sites_service.issue_token(session, device.id, LIVE_TOKEN_LABEL)
        registers = await readings.latest_registers(session, device.id)
    energy = EnergyTotals() if registers is None else EnergyTotals(*registers)
    return LiveDevice(device.id, device.name, issued.token, energy)


async def run_live_demo(
    device: LiveDevice,
    portal_url: str,
    interval_seconds: float,
    spool_path: Path,
    stop: asyncio.Event,
) -> None:
    """A simulated meter and a collector feeding ``device`` until ``stop`` is set."""
    model = AcuvimModel(
        time.time(), seed=device.device_id, profile=LIVE_PROFILE, energy=device.energy
    )
    async with SimulatedMeterServer(model, host="127.0.0.1", port=0) as meter:
        config = CollectorConfig(
            portal_url=portal_url,
            interval_seconds=interval_seconds,
            spool_path=spool_path,
            spool_max_readings=100_000,
            spool_sync="normal",
            retry_max_seconds=10,
            status_interval_seconds=max(30.0, interval_seconds),
            meters=[
                TcpMeter(
                    name=device.name,
                    transport="tcp",
                    host="127.0.0.1",
                    port=meter.port,
                    token=SecretStr(device.token),
                )
            ],
        )
        log.info(
            "demo.live_started",
            device=device.name,
            device_id=device.device_id,
            simulated_meter=f"127.0.0.1:{meter.port}",
            portal=portal_url,
            every_seconds=interval_seconds,
        )
        await Collector(config).run(stop)
