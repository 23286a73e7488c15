"""The demo shopping centre's simulated data (pure): a valid tree whose energy adds up, a
sun that sets, tariffs the validator accepts, tenants whose leases of a meter never overlap
(shop 3 changes tenant at one instant); and the fleet's device items with the tree."""

from __future__ import annotations

import itertools
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
    DEMO_TENANT_USER_TENANT,
    DEMO_TENANTS,
    DEMO_VIRTUAL_METERS,
    INCOMER,
    INCOMING_TENANT,
    OUTGOING_TENANT,
    SHOP_3_METER,
    SOLAR,
    demo_leases,
    demo_tariff,
    demo_tenant_tariff,
    history_plan,
    losses_share,
    meter_rows,
    move_instant,
    simulate_loads,
    solar_kw,
)
from power_portal.fleet.ingest import valid_items
from power_portal.fleet.schemas import DeviceItem
from power_portal.measurements.fields import FIELD_NAMES
from power_portal.tariffs.schemas import TariffIn
from power_portal.tariffs.service import validation_report
from power_portal.tenants.schemas import Rule

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


@pytest.mark.parametrize("tariff", [demo_tariff(), demo_tenant_tariff()], ids=["site", "tenant"])
def test_the_demo_tariffs_are_valid(tariff: dict[str, Any]) -> None:
    report = validation_report(TariffIn.model_validate(tariff))
    assert report.valid, report.problems


def test_the_tenants_hold_consumers_and_show_every_kind_of_rule() -> None:
    consumers = {meter.name for meter in DEMO_METERS if meter.role == "submeter"}
    assert len(DEMO_TENANTS) == 4
    assert len({tenant.name for tenant in DEMO_TENANTS}) == 4
    assert DEMO_TENANT_USER_TENANT in {tenant.name for tenant in DEMO_TENANTS}
    rules = {tenant.name: Rule.model_validate(tenant.rule) for tenant in DEMO_TENANTS}
    for tenant in DEMO_TENANTS:
        assert set(tenant.meters) <= consumers
    # no meter of the common areas is a tenant's
    assert not {"Common lighting", "HVAC"} & {m for t in DEMO_TENANTS for m in t.meters}
    kinds = {(rule.kind, rule.apportion) for rule in rules.values()}
    assert ("pass_through", "coincident_demand") in kinds
    assert ("own_tariff", None) in kinds
    assert any(rule.markup_cap is not None and rule.markup_percent > 0 for rule in rules.values())


@settings(max_examples=200, deadline=None)
@given(end=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)))
def test_shop_3_changes_tenant_on_the_latest_15th_at_noon(end: datetime) -> None:
    end = end.replace(tzinfo=UTC)
    move = move_instant(end)
    local = move.astimezone(JOBURG)
    assert (local.day, local.hour, local.minute) == (15, 12, 0)
    assert move < end
    assert end - move <= timedelta(days=31)  # the latest 15th: no 15th between them
    assert move_instant(move + timedelta(microseconds=1)) == move
    assert move_instant(move) < move


@pytest.mark.parametrize(
    ("history_end", "days"),
    [
        (datetime(2026, 12, 3, 1, 40, tzinfo=UTC), 90),  # the move in the previous month
        (datetime(2026, 12, 3, 1, 40, tzinfo=UTC), 10),  # a history that starts after it
        (datetime(2026, 12, 20, 8, 0, tzinfo=UTC), 25),  # the move earlier this month
        (datetime(2026, 12, 15, 10, 0, tzinfo=UTC), 25),  # just before noon on the 15th
        (datetime(2027, 1, 2, 0, 0, tzinfo=UTC), 730),  # over a year's end
    ],
)
def test_the_leases_cover_the_history_and_shop_3_changes_hands_once(
    history_end: datetime, days: int
) -> None:
    history_start = history_end - timedelta(days=days)
    leases = demo_leases(history_start, history_end)
    move = move_instant(history_end)
    first = min(lease.start for lease in leases)
    local_first = first.astimezone(JOBURG)
    assert (local_first.day, local_first.hour) == (1, 0)
    assert first <= min(history_start, move)
    assert first > min(history_start, move) - timedelta(days=31)
    by_tenant = {(lease.tenant, lease.meter): lease for lease in leases}
    outgoing = by_tenant[(OUTGOING_TENANT, SHOP_3_METER)]
    incoming = by_tenant[(INCOMING_TENANT, SHOP_3_METER)]
    assert outgoing.end == incoming.start == move  # nothing lost, nothing twice
    for lease in leases:
        assert lease.end is None or lease.end > lease.start
    # a meter is never held by two tenants at once
    for meter in {lease.meter for lease in leases}:
        spans = sorted(
            (lease.start, lease.end or datetime.max.replace(tzinfo=UTC))
            for lease in leases
            if lease.meter == meter
        )
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))
    held = {lease.meter for lease in leases if lease.end is None}
    assert held == {meter for tenant in DEMO_TENANTS for meter in tenant.meters}


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
