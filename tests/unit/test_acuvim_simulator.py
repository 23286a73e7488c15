"""The simulated Acuvim II: its physics (pure) and its Modbus server on loopback."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pymodbus.client import AsyncModbusTcpClient
from pymodbus.constants import ExcCodes

from power_portal.collector.registers import READ_BLOCKS, decode_reading
from power_portal.collector.simulator import AcuvimModel, EnergyTotals, SimulatedMeterServer

JOBURG = ZoneInfo("Africa/Johannesburg")
# a Wednesday
NOON = datetime(2026, 6, 3, 12, 0, tzinfo=JOBURG).timestamp()
THREE_AM = datetime(2026, 6, 3, 3, 0, tzinfo=JOBURG).timestamp()


def test_energy_is_the_integral_of_the_power_it_shows() -> None:
    model = AcuvimModel(NOON, seed=3)
    start_kwh = model.import_kwh
    expected = 0.0
    clock = NOON
    for _ in range(4 * 600):  # ten minutes in quarter seconds; the load changes every second
        held_kw = model.power_kw
        clock += 0.25
        model.advance_to(clock)
        expected += held_kw * 0.25 / 3600
    assert math.isclose(model.import_kwh - start_kwh, expected, rel_tol=1e-9)
    assert 10 < (model.import_kwh - start_kwh) * 6 < 1000  # kW-scale: 10 minutes = 1/6 h


def test_registers_show_completed_tenths() -> None:
    model = AcuvimModel(NOON, energy=EnergyTotals(import_kwh=1234.56))
    assert model.snapshot().energy_import_tenths == 12345
    model.advance_to(NOON + 3600)
    snapshot = model.snapshot()
    assert snapshot.energy_import_tenths == math.floor(model.import_kwh * 10)
    assert snapshot.apparent_tenths >= snapshot.energy_import_tenths - 12345 + 105_000


def test_daily_shape_three_phases_and_the_grid() -> None:
    busy = AcuvimModel(NOON, seed=1)
    quiet = AcuvimModel(THREE_AM, seed=1)
    assert busy.power_kw > 2 * quiet.power_kw  # working hours against the night's base load
    s = busy.snapshot()
    assert math.isclose(sum(s.active_power_w) / 1000, busy.power_kw)
    assert all(0.25 < w / sum(s.active_power_w) < 0.42 for w in s.active_power_w)
    assert all(220 < v < 240 for v in s.phase_voltages_v)
    assert all(math.isclose(v, 230 * math.sqrt(3), rel_tol=0.02) for v in s.line_voltages_v)
    assert 49.9 < s.frequency_hz < 50.1
    assert 0.85 < s.power_factor_total < 0.99
    assert s.neutral_current_a < 0.3 * max(s.currents_a)  # nearly balanced
    for va, w, q in zip(s.apparent_power_va, s.active_power_w, s.reactive_power_var, strict=True):
        assert math.isclose(va, math.hypot(w, q))


def test_same_seed_same_meter() -> None:
    a, b = AcuvimModel(NOON, seed=7), AcuvimModel(NOON, seed=7)
    for offset in (1.5, 60.0, 3600.0):
        a.advance_to(NOON + offset)
        b.advance_to(NOON + offset)
    assert a.snapshot() == b.snapshot()
    assert AcuvimModel(NOON, seed=8).snapshot() != AcuvimModel(NOON, seed=7).snapshot()


def test_a_long_pause_is_integrated_quickly_and_sensibly() -> None:
    model = AcuvimModel(NOON, seed=2)
    start = model.import_kwh
    model.advance_to(NOON + 7 * 86_400)  # a week in one call: coarser steps, bounded work
    week_kwh = model.import_kwh - start
    # base 40 kW all week, plus working hours on weekdays: between the two bounds
    assert 40 * 24 * 7 < week_kwh < (40 + 150 + 20) * 24 * 7


def test_the_server_serves_the_map_and_faults() -> None:
    async def scenario() -> None:
        clock = [NOON]
        model = AcuvimModel(NOON, seed=4, scale=100)
        async with SimulatedMeterServer(model, port=0, clock=lambda: clock[0]) as server:
            client = AsyncModbusTcpClient(
                "127.0.0.1", port=server.port, timeout=1, retries=0, reconnect_delay=0
            )
            assert await client.connect()

            async def read() -> dict[str, float]:
                blocks = []
                for address, count in READ_BLOCKS:
                    response = await client.read_holding_registers(
                        address, count=count, device_id=1
                    )
                    assert not response.isError(), response
                    blocks.append(response.registers)
                return decode_reading(*blocks).values

            first = await read()
            clock[0] += 3600
            second = await read()
            delta = second["energy_import_kwh"] - first["energy_import_kwh"]
            # an hour at ~ (190 kW x 100): the register moved by about that many kWh
            assert 0.5 * first["power_kw"] < delta < 2 * first["power_kw"]
            assert server.history[-1].energy_import_tenths == round(
                second["energy_import_kwh"] * 10
            )

            server.fault = ExcCodes.DEVICE_BUSY
            response = await client.read_holding_registers(0x4000, count=60, device_id=1)
            assert response.isError()
            assert response.exception_code == ExcCodes.DEVICE_BUSY
            server.fault = None
            # writes are refused: the measurement registers are read-only
            response = await client.write_register(0x4000, 1, device_id=1)
            assert response.isError()
            # past the end of the map: illegal data address
            response = await client.read_holding_registers(0x4050, count=20, device_id=1)
            assert response.exception_code == ExcCodes.ILLEGAL_ADDRESS
            client.close()

    asyncio.run(scenario())


@pytest.mark.parametrize("start", [datetime(2026, 1, 1, tzinfo=UTC).timestamp()])
def test_no_time_no_change(start: float) -> None:
    model = AcuvimModel(start)
    before = model.snapshot()
    model.advance_to(start)
    model.advance_to(start - 10)  # the clock going back changes nothing
    assert model.snapshot() == before
