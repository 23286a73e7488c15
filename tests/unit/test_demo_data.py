"""The demo shopping centre's simulated data (pure): a valid tree whose energy adds up, a
sun that sets, a tariff the validator accepts; and the fleet's device items with the tree."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from power_portal.demo.data import (
    DEMO_CONSUMERS,
    DEMO_LIVE_PROFILE,
    DEMO_METERS,
    DEMO_STEP,
    DEMO_VIRTUAL_METERS,
    INCOMER,
    SOLAR,
    demo_tariff,
    history_plan,
    losses_share,
    meter_rows,
    simulate_loads,
    solar_kw,
)
from power_portal.fleet.ingest import valid_items
from power_portal.fleet.schemas import DeviceItem
from power_portal.measurements.fields import FIELD_NAMES
from power_portal.tariffs.schemas import TariffIn
from power_portal.tariffs.service import validation_report

JOBURG = ZoneInfo("Africa/Johannesburg")
IMPORT = 1 + FIELD_NAMES.index("energy_import_kwh")


def test_the_tree_has_one_incomer_and_every_other_meter_below_it() -> None:
    names = [meter.name for meter in DEMO_METERS]
    assert len(set(names)) == len(names)
    assert len({meter.serial for meter in DEMO_METERS}) == len(DEMO_METERS)
    [supply] = [meter for meter in DEMO_METERS if meter.role == "supply"]
    assert supply.name == INCOMER
    assert supply.parent is None
    for position, meter in enumerate(DEMO_METERS):
        if meter is not supply:
            assert meter.parent in names[:position]  # a parent is created before its children
    assert {meter.role for meter in DEMO_METERS} == {"supply", "submeter", "generation"}
    assert (DEMO_LIVE_PROFILE.name, DEMO_LIVE_PROFILE.serial) == (supply.name, supply.serial)
    for _, terms in DEMO_VIRTUAL_METERS:
        assert {meter for _, meter in terms} <= set(names)


@pytest.mark.parametrize(
    ("net_kw", "low", "high"),
    [(-5.0, 0.025, 0.025), (0.0, 0.025, 0.025), (100.0, 0.037, 0.038), (1000.0, 0.05, 0.05)],
)
def test_losses_grow_with_the_load(net_kw: float, low: float, high: float) -> None:
    assert low <= losses_share(net_kw) <= high


@pytest.mark.parametrize(
    ("local", "clearness", "produces"),
    [
        (datetime(2026, 12, 21, 2, 0, tzinfo=JOBURG), 1.0, False),  # night
        (datetime(2026, 12, 21, 12, 0, tzinfo=JOBURG), 1.0, True),  # summer noon
        (datetime(2026, 6, 21, 12, 0, tzinfo=JOBURG), 0.5, True),  # winter noon, cloudy
        (datetime(2026, 6, 21, 6, 30, tzinfo=JOBURG), 1.0, False),  # before a winter sunrise
        (datetime(2026, 12, 21, 6, 30, tzinfo=JOBURG), 1.0, True),  # after a summer sunrise
        (datetime(2026, 6, 21, 18, 0, tzinfo=JOBURG), 1.0, False),  # after a winter sunset
    ],
)
def test_the_sun_rises_and_sets(local: datetime, clearness: float, produces: bool) -> None:
    kw = solar_kw(local, clearness, random.Random(1))
    assert (kw > 0) is produces
    assert kw <= 40.0


@settings(max_examples=25, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31)),
    seed=st.integers(0, 1000),
)
def test_the_incomer_is_its_consumers_minus_solar_plus_a_small_remainder(
    start: datetime, seed: int
) -> None:
    begin = start.replace(tzinfo=UTC, second=0, microsecond=0)
    loads = simulate_loads(begin, begin + timedelta(days=2), DEMO_STEP, seed)
    for i in range(len(loads.moments)):
        consumers = sum(loads.kw[profile.name][i] for profile in DEMO_CONSUMERS)
        solar = loads.kw[SOLAR][i]
        incomer = loads.kw[INCOMER][i]
        assert 0 <= solar <= 0.9 * consumers  # a zero-export controller: never exports
        remainder = incomer - consumers + solar
        assert 0.024 * incomer <= remainder <= 0.048 * incomer


def test_readings_keep_the_registers_counting_across_a_gap() -> None:
    end = datetime(2026, 9, 1, tzinfo=UTC)
    loads = simulate_loads(end - timedelta(days=25), end, DEMO_STEP)
    plan = history_plan(loads)
    assert [p.label for p in plan].count("Cafe (late replay)") == 1
    [hvac] = [p for p in plan if p.label == "HVAC"]
    assert len(hvac.indices) == len(loads.moments) - 6 * 12  # six hours off
    rows = meter_rows(loads, "HVAC", hvac.seed, hvac.indices)
    registers = [row[IMPORT] for row in rows]
    assert registers == sorted(registers)
    # the register after the gap counts the energy of the gap too
    whole = meter_rows(loads, "HVAC", hvac.seed)
    assert whole[-1][IMPORT] == rows[-1][IMPORT]
    # energy from the registers adds up the same way as the loads
    incomer = meter_rows(loads, INCOMER, 0)
    solar = meter_rows(loads, SOLAR, 7)
    consumers = [meter_rows(loads, p.name, n + 1) for n, p in enumerate(DEMO_CONSUMERS)]

    def used(rows: list[Any]) -> float:
        return float(rows[-1][IMPORT] - rows[0][IMPORT])

    remainder = used(incomer) - sum(used(r) for r in consumers) + used(solar)
    assert 0.02 * used(incomer) < remainder < 0.05 * used(incomer)


def test_the_demo_tariff_is_valid() -> None:
    report = validation_report(TariffIn.model_validate(demo_tariff()))
    assert report.valid, report.problems


@pytest.mark.parametrize(
    ("item", "parent_id", "role"),
    [
        ({}, None, "submeter"),  # a client stack from before the tree
        ({"parent_id": None, "role": "supply"}, None, "supply"),
        ({"parent_id": 7, "role": "generation"}, 7, "generation"),
        ({"parent_id": 7}, 7, "submeter"),
        ({"role": "incomer"}, None, None),  # not a role: rejected
        ({"parent_id": 0}, None, None),  # not an id: rejected
    ],
)
def test_pushed_devices_carry_the_tree(
    item: dict[str, Any], parent_id: int | None, role: str | None
) -> None:
    base = {"id": 3, "site_id": 1, "name": "Shop", "serial": "S-1", "model": None}
    valid = valid_items([base | item], DeviceItem)
    if role is None:
        assert valid == []
    else:
        [device] = valid
        assert (device.parent_id, device.role) == (parent_id, role)
