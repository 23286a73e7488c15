"""A simulated Acuvim II: the collector's register map on pymodbus's Modbus server.

``AcuvimModel`` is the meter (pure, clock passed in): a load with a daily
shape (``measurements.demo.load_kw``: base load, working hours on weekdays,
a lighter Saturday, an evening bump, noise), split over three phases with a
little imbalance, a power factor, voltages around 230 V, frequency around
50 Hz. The load is re-sampled every ``step_seconds`` and held in between;
the energy registers integrate exactly that power over real elapsed time,
so a register delta always equals the power it was read with, times time.

``SimulatedMeterServer`` serves the model with pymodbus's ``ModbusTcpServer``
(``framer="socket"``: Modbus TCP, or ``"rtu"``: RTU frames over TCP, what a
transparent RS-485-to-Ethernet converter passes through), using the 3.x
``SimDevice`` datastore with an ``action`` that brings the registers up to
date at each read. Faults can be switched on for tests: a Modbus exception
code, silence (no answer) or a corrupted frame (bad CRC on RTU).
"""

from __future__ import annotations

import asyncio
import cmath
import math
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from pymodbus.constants import ExcCodes
from pymodbus.framer import FramerType
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from power_portal.collector.modbus import quiet_libraries
from power_portal.collector.registers import (
    ENERGY_COUNT,
    ENERGY_START,
    REALTIME_COUNT,
    REALTIME_START,
    MeterSnapshot,
    snapshot_registers,
    units_to_tenths,
)
from power_portal.measurements.load_profile import DEMO_TIMEZONE, LoadProfile, load_kw

READ_HOLDING_REGISTERS = 3
MAX_STEPS_PER_ADVANCE = 20_000  # a long pause is integrated in coarser steps
HISTORY_LENGTH = 100_000
NOMINAL_PHASE_VOLTAGE = 230.0
NOMINAL_FREQUENCY = 50.0
PHASE_ANGLES = (0.0, -2 * math.pi / 3, 2 * math.pi / 3)

DEFAULT_PROFILE = LoadProfile(
    name="Simulated Acuvim II",
    serial="SIM-ACV-0001",
    base_kw=40.0,
    working_kw=150.0,
    evening_kw=20.0,
    power_factor=0.93,
    noise=0.04,
)


@dataclass(frozen=True)
class EnergyTotals:
    """Starting register values (kWh, kvarh, kVAh)."""

    import_kwh: float = 10_000.0
    export_kwh: float = 0.0
    reactive_import_kvarh: float = 3_000.0
    reactive_export_kvarh: float = 0.0
    apparent_kvah: float = 10_500.0


@dataclass(frozen=True)
class _Sample:
    """The load held from one re-sample to the next."""

    phase_w: tuple[float, float, float]
    phase_var: tuple[float, float, float]
    phase_v: tuple[float, float, float]
    power_factor: float
    frequency_hz: float


class AcuvimModel:
    """The meter's physics: load, phases, and energy registers advancing with real time."""

    def __init__(
        self,
        start_time: float,
        *,
        seed: int = 0,
        profile: LoadProfile = DEFAULT_PROFILE,
        scale: float = 1.0,
        timezone: str = DEMO_TIMEZONE,
        energy: EnergyTotals | None = None,
        step_seconds: float = 1.0,
    ) -> None:
        if step_seconds <= 0 or scale <= 0:
            raise ValueError("step_seconds and scale must be positive")
        self.profile = profile
        self.scale = scale
        self.zone = ZoneInfo(timezone)
        self.step_seconds = step_seconds
        self._rng = random.Random(seed)  # noqa: S311 - simulated load, not security
        totals = energy or EnergyTotals()
        self.import_kwh = totals.import_kwh
        self.export_kwh = totals.export_kwh
        self.reactive_import_kvarh = totals.reactive_import_kvarh
        self.reactive_export_kvarh = totals.reactive_export_kvarh
        self.apparent_kvah = totals.apparent_kvah
        self._shares = self._phase_shares()
        self.time = start_time
        self._sampled_at = start_time
        self._sample = self._new_sample(start_time)

    # ------------------------------------------------------------ the load

    def _phase_shares(self) -> tuple[float, float, float]:
        raw = [1 + self._rng.gauss(0, 0.05) for _ in range(3)]
        total = sum(raw)
        return raw[0] / total, raw[1] / total, raw[2] / total

    def _new_sample(self, at: float) -> _Sample:
        local = datetime.fromtimestamp(at, UTC).astimezone(self.zone)
        total_kw = load_kw(self.profile, local, self._rng) * self.scale
        pf = min(0.999, max(0.5, self.profile.power_factor + self._rng.gauss(0, 0.01)))
        tan_phi = math.tan(math.acos(pf))
        phase_w = tuple(total_kw * 1000 * share for share in self._shares)
        phase_var = tuple(w * tan_phi for w in phase_w)
        phase_v = tuple(NOMINAL_PHASE_VOLTAGE + self._rng.gauss(0, 1.5) for _ in range(3))
        frequency = NOMINAL_FREQUENCY + self._rng.gauss(0, 0.02)
        return _Sample(
            (phase_w[0], phase_w[1], phase_w[2]),
            (phase_var[0], phase_var[1], phase_var[2]),
            (phase_v[0], phase_v[1], phase_v[2]),
            pf,
            frequency,
        )

    # ------------------------------------------------------------ time

    def advance_to(self, now: float) -> None:
        """Integrate the held load up to ``now`` (Unix seconds), re-sampling on the way."""
        if now <= self.time:
            return
        step = max(self.step_seconds, (now - self.time) / MAX_STEPS_PER_ADVANCE)
        while self.time < now:
            boundary = self._sampled_at + step
            segment_end = min(now, boundary)
            self._integrate(segment_end - self.time)
            self.time = segment_end
            if segment_end >= boundary:
                self._sampled_at = boundary
                self._sample = self._new_sample(boundary)

    def _integrate(self, seconds: float) -> None:
        hours = seconds / 3600
        total_w = sum(self._sample.phase_w)
        total_var = sum(self._sample.phase_var)
        total_va = math.hypot(total_w, total_var)
        if total_w >= 0:
            self.import_kwh += total_w / 1000 * hours
        else:
            self.export_kwh += -total_w / 1000 * hours
        if total_var >= 0:
            self.reactive_import_kvarh += total_var / 1000 * hours
        else:
            self.reactive_export_kvarh += -total_var / 1000 * hours
        self.apparent_kvah += total_va / 1000 * hours

    @property
    def power_kw(self) -> float:
        return sum(self._sample.phase_w) / 1000

    # ------------------------------------------------------------ what it shows

    def snapshot(self) -> MeterSnapshot:
        s = self._sample
        phase_va = tuple(math.hypot(w, q) for w, q in zip(s.phase_w, s.phase_var, strict=True))
        currents = tuple(va / v for va, v in zip(phase_va, s.phase_v, strict=True))
        phi = math.acos(s.power_factor)
        neutral = abs(
            sum(
                cmath.rect(current, angle - phi)
                for current, angle in zip(currents, PHASE_ANGLES, strict=True)
            )
        )
        phasors = [cmath.rect(v, a) for v, a in zip(s.phase_v, PHASE_ANGLES, strict=True)]
        line = tuple(abs(phasors[i] - phasors[(i + 1) % 3]) for i in range(3))
        pfs = tuple(w / va if va else 1.0 for w, va in zip(s.phase_w, phase_va, strict=True))
        total_va = math.hypot(sum(s.phase_w), sum(s.phase_var))
        return MeterSnapshot(
            frequency_hz=s.frequency_hz,
            phase_voltages_v=s.phase_v,
            line_voltages_v=(line[0], line[1], line[2]),
            currents_a=(currents[0], currents[1], currents[2]),
            neutral_current_a=neutral,
            active_power_w=s.phase_w,
            reactive_power_var=s.phase_var,
            apparent_power_va=(phase_va[0], phase_va[1], phase_va[2]),
            power_factors=(pfs[0], pfs[1], pfs[2]),
            power_factor_total=sum(s.phase_w) / total_va if total_va else 1.0,
            energy_import_tenths=units_to_tenths(self.import_kwh),
            energy_export_tenths=units_to_tenths(self.export_kwh),
            reactive_import_tenths=units_to_tenths(self.reactive_import_kvarh),
            reactive_export_tenths=units_to_tenths(self.reactive_export_kvarh),
            apparent_tenths=units_to_tenths(self.apparent_kvah),
        )


# ---------------------------------------------------------------- the server

Fault = ExcCodes | Literal["silent", "corrupt"] | None


@dataclass(frozen=True)
class ServedReading:
    """An energy-block read the server answered (what a collector can have stored)."""

    unix_time: float
    energy_import_tenths: int
    power_w: float


class SimulatedMeterServer:
    """One simulated Acuvim II listening on ``host:port`` as Modbus unit ``unit_id``."""

    def __init__(
        self,
        model: AcuvimModel,
        *,
        host: str = "127.0.0.1",
        port: int = 5020,
        unit_id: int = 1,
        framer: Literal["socket", "rtu"] = "socket",
        clock: Callable[[], float] = time.time,
    ) -> None:
        quiet_libraries()
        self.model = model
        self.host = host
        self.requested_port = port
        self.unit_id = unit_id
        self.framer = framer
        self.clock = clock
        self.fault: Fault = None
        self.reads = 0
        self.history: deque[ServedReading] = deque(maxlen=HISTORY_LENGTH)
        self._server: ModbusTcpServer | None = None

    async def _on_access(
        self,
        function_code: int,
        start_address: int,
        address: int,
        count: int,
        registers: list[int],
        set_values: list[int] | list[bool] | None,
    ) -> ExcCodes | None:
        if isinstance(self.fault, ExcCodes):
            return self.fault
        if function_code != READ_HOLDING_REGISTERS or set_values is not None:
            return ExcCodes.ILLEGAL_FUNCTION  # the measurement registers are read-only
        self.model.advance_to(self.clock())
        snapshot = self.model.snapshot()
        realtime, energy = snapshot_registers(snapshot)
        offset = REALTIME_START - start_address
        registers[offset : offset + REALTIME_COUNT] = realtime
        offset = ENERGY_START - start_address
        registers[offset : offset + ENERGY_COUNT] = energy
        self.reads += 1
        if address <= ENERGY_START < address + count:
            self.history.append(
                ServedReading(
                    self.model.time, snapshot.energy_import_tenths, sum(snapshot.active_power_w)
                )
            )
        return None

    def _trace_packet(self, sending: bool, data: bytes) -> bytes:
        if not sending:
            return data
        if self.fault == "silent":
            return b""
        if self.fault == "corrupt" and data:
            return data[:-1] + bytes([data[-1] ^ 0xFF])
        return data

    async def start(self) -> None:
        block_length = ENERGY_START + ENERGY_COUNT - REALTIME_START
        device = SimDevice(
            id=self.unit_id,
            simdata=[
                SimData(
                    REALTIME_START, count=block_length, datatype=DataType.REGISTERS, readonly=True
                )
            ],
            action=self._on_access,
        )
        self._server = ModbusTcpServer(
            device,
            address=(self.host, self.requested_port),
            framer=FramerType.RTU if self.framer == "rtu" else FramerType.SOCKET,
            trace_packet=self._trace_packet,
        )
        await self._server.serve_forever(background=True)

    @property
    def port(self) -> int:
        """The port it listens on (useful with port 0)."""
        if self._server is None or self._server.transport is None:
            return self.requested_port
        sockets = getattr(self._server.transport, "sockets", None)
        if not sockets:
            return self.requested_port
        return int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.shutdown()  # type: ignore[no-untyped-call]
            self._server = None

    async def __aenter__(self) -> SimulatedMeterServer:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()


async def serve_meters(servers: list[SimulatedMeterServer], stop: asyncio.Event) -> None:
    """Run simulated meters until ``stop`` is set."""
    for server in servers:
        await server.start()
    try:
        await stop.wait()
    finally:
        for server in servers:
            await server.stop()
