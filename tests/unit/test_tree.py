"""The metering tree's pure maths: checks, order, remainders, discrepancies (tables and
hypothesis properties)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from power_portal.sites.tree import (
    Balance,
    TreeDevice,
    balances,
    bucket_totals,
    find_discrepancies,
    first_new_problem,
    has_supply_above,
    is_discrepancy,
    tree_order,
    tree_problems,
)
from power_portal.sites.tree_csv import TreeCsvRow, tree_csv


def dev(id_: int, parent: int | None = None, role: str = "submeter", name: str = "") -> TreeDevice:
    return TreeDevice(id_, name or f"M{id_}", parent, role)


# Incomer 1 (supply) > Board 2 > Shop 4, Shop 5; Incomer 1 > Solar 3 (generation)
SITE = [
    dev(1, None, "supply", "Incomer"),
    dev(2, 1, "submeter", "Board"),
    dev(3, 1, "generation", "Solar"),
    dev(4, 2, "submeter", "Shop A"),
    dev(5, 2, "submeter", "Shop B"),
]


def changed(devices: list[TreeDevice], device: TreeDevice) -> list[TreeDevice]:
    return [device if d.id == device.id else d for d in devices] + (
        [] if any(d.id == device.id for d in devices) else [device]
    )


# ---------------------------------------------------------------- checks


@pytest.mark.parametrize(
    ("change", "kind", "message"),
    [
        (dev(4, 99, name="Shop A"), "unknown_parent", "Shop A (id 4): device 99 cannot be"),
        (dev(2, 2, name="Board"), "cycle", "Board (id 2) would be below itself"),
        (dev(2, 5, name="Board"), "cycle", "Board (id 2) → Shop B (id 5) → Board (id 2)"),
        (dev(1, 2, "supply", "Incomer"), "cycle", "Incomer (id 1) would be below itself"),
        (dev(5, 4, "supply", "Shop B"), "supply_with_parent", "Shop B (id 5) is a supply point"),
        (dev(4, None, name="Shop A"), "no_supply_above", "Shop A (id 4) has no supply point"),
        (dev(6, None, name="New"), "no_supply_above", "New (id 6)"),
        (dev(0, None, name="Fresh"), "no_supply_above", "Fresh (new device)"),
    ],
)
def test_a_change_that_breaks_the_tree_is_refused_naming_the_device(
    change: TreeDevice, kind: str, message: str | None
) -> None:
    problem = first_new_problem(SITE, changed(SITE, change), change.id)
    assert problem is not None
    assert (problem.device_id, problem.kind) == (change.id, kind)
    if message:
        assert message in problem.message


@pytest.mark.parametrize(
    "change",
    [
        dev(6, None, "generation", "Roof solar"),  # generation may be a root
        dev(6, 5, "generation", "Rooftop"),  # or sit anywhere
        dev(5, 1, name="Shop B"),  # moved up below the incomer
        dev(6, 4, name="Sub of A"),
        dev(7, None, "supply", "Second incomer"),  # a second supply point
        dev(3, None, "generation", "Solar"),  # solar made a separate supply
        dev(4, 3, name="Shop A"),  # below solar, which is below the incomer
    ],
)
def test_a_sound_change_is_accepted(change: TreeDevice) -> None:
    assert first_new_problem(SITE, changed(SITE, change), change.id) is None


def test_a_supply_point_made_a_submeter_leaves_its_children_without_one() -> None:
    two_incomers = [*SITE, dev(9, None, "supply", "Incomer 2")]
    demoted = changed(two_incomers, dev(1, None, "submeter", "Incomer"))
    assert [(p.device_id, p.kind) for p in tree_problems(demoted)] == [
        (1, "no_supply_above"),
        (2, "no_supply_above"),
        (4, "no_supply_above"),
        (5, "no_supply_above"),
    ]
    problem = first_new_problem(two_incomers, demoted, 1)
    assert problem is not None
    assert problem.message.startswith("Incomer (id 1) has no supply point above it")


def test_a_submeter_below_a_solar_root_has_no_supply_point_above_it() -> None:
    solar_root = changed(SITE, dev(3, None, "generation", "Solar"))
    problem = first_new_problem(solar_root, changed(solar_root, dev(4, 3, name="Shop A")), 4)
    assert problem is not None
    assert (problem.device_id, problem.kind) == (4, "no_supply_above")


def test_without_supply_points_any_tree_of_roots_is_sound() -> None:
    flat = [dev(1), dev(2), dev(3, 1), dev(4, 3, "generation")]
    assert tree_problems(flat) == []


def test_the_first_supply_point_needs_the_other_submeters_below_it() -> None:
    flat = [dev(1, name="Main"), dev(2, name="Loose"), dev(3, 1, name="Under")]
    problem = first_new_problem(flat, changed(flat, dev(1, None, "supply", "Main")), 1)
    assert problem is not None
    assert (problem.device_id, problem.kind) == (2, "no_supply_above")
    # once Loose is below Main, Main may become the supply point
    flat = changed(flat, dev(2, 1, name="Loose"))
    assert first_new_problem(flat, changed(flat, dev(1, None, "supply", "Main")), 1) is None


def test_problems_already_there_do_not_block_an_unrelated_change() -> None:
    """Deleting a board made its shops roots: each may be fixed on its own."""
    orphans = [dev(1, None, "supply"), dev(4), dev(5)]
    assert [p.device_id for p in tree_problems(orphans)] == [4, 5]
    assert first_new_problem(orphans, changed(orphans, dev(4, 1)), 4) is None
    assert first_new_problem(orphans, changed(orphans, dev(5, None, name="Renamed")), 5) is None


# ---------------------------------------------------------------- order and supply


def test_tree_order_is_depth_first_with_siblings_by_name() -> None:
    order = [(d.id, depth) for d, depth in tree_order(SITE)]
    assert order == [(1, 0), (2, 1), (4, 2), (5, 2), (3, 1)]
    two_roots = [
        dev(1, name="Zulu"),
        dev(2, name="Alpha"),
        dev(3, 1, name="B"),
        dev(4, 1, name="A"),
    ]
    assert [d.id for d, _ in tree_order(two_roots)] == [2, 1, 4, 3]


def test_a_parent_not_in_the_list_makes_a_root_and_a_cycle_comes_last() -> None:
    odd = [dev(1, 99), dev(2, 3), dev(3, 2), dev(4, 1)]
    assert [(d.id, depth) for d, depth in tree_order(odd)] == [(1, 0), (4, 1), (2, 0), (3, 0)]


def test_has_supply_above() -> None:
    with_solar_root = [*SITE, dev(6, None, "generation"), dev(7, 6)]
    assert has_supply_above(with_solar_root) == {
        1: True,
        2: True,
        3: True,
        4: True,
        5: True,
        6: False,
        7: False,
    }


# ---------------------------------------------------------------- remainders


@pytest.mark.parametrize(
    ("energy", "expected"),
    [
        # incomer 100, board 70, solar 20: 100 - 70 + 20 = 50 unmetered
        (
            {1: 100.0, 2: 70.0, 3: 20.0, 4: 30.0, 5: 35.0},
            {1: Balance(50.0, 50.0), 2: Balance(65.0, 5.0)},
        ),
        # children above the parent: a negative remainder, never clipped
        (
            {1: 10.0, 2: 70.0, 3: 0.0, 4: 50.0, 5: 30.0},
            {1: Balance(70.0, -60.0), 2: Balance(80.0, -10.0)},
        ),
        # a parent without data: the children's sum, no remainder
        ({2: 70.0, 4: 30.0}, {1: Balance(70.0, None), 2: Balance(30.0, 40.0)}),
        # no child with data: nothing to say
        ({1: 100.0, 2: 70.0}, {1: Balance(70.0, 30.0), 2: Balance(None, None)}),
        ({}, {1: Balance(None, None), 2: Balance(None, None)}),
    ],
)
def test_remainders(energy: dict[int, float], expected: dict[int, Balance]) -> None:
    assert balances(SITE, energy) == expected


def test_bucket_totals_sum_the_days_of_a_month() -> None:
    daily = {1: {date(2026, 5, 31): 1.0, date(2026, 6, 1): 2.0, date(2026, 6, 2): 3.0}, 2: {}}
    totals = bucket_totals(daily, lambda day: day.replace(day=1))
    assert totals == {date(2026, 5, 1): {1: 1.0}, date(2026, 6, 1): {1: 5.0}}


# ---------------------------------------------------------------- discrepancies


@pytest.mark.parametrize(
    ("parent", "consuming", "generation", "percent", "expected"),
    [
        (100.0, 105.0, 0.0, 5.0, False),  # exactly 5 % over: not more than 5 %
        (100.0, 105.1, 0.0, 5.0, True),
        (100.0, 120.0, 20.0, 5.0, False),  # solar below the parent makes up the difference
        (100.0, 130.0, 20.0, 5.0, True),
        (100.0, 130.0, 0.0, 50.0, False),  # a site that allows 50 %
        (0.0, 0.5, 0.0, 5.0, False),  # no parent energy: over 0.5 kWh counts
        (None, 0.6, 0.0, 5.0, True),
        (0.0, 0.6, 0.2, 5.0, False),
    ],
)
def test_a_day_is_a_discrepancy(
    parent: float | None, consuming: float, generation: float, percent: float, expected: bool
) -> None:
    assert is_discrepancy(parent, consuming, generation, percent) is expected


def test_discrepancy_days_of_a_parent_make_one_warning() -> None:
    board = [
        dev(5, None, name="HVAC board"),
        dev(7, 5, name="Chiller 1"),
        dev(8, 5, name="Chiller 2"),
    ]
    days = [date(2026, 6, d) for d in range(1, 8)]
    daily = {
        5: dict.fromkeys(days, 40.0),
        7: {day: 60.0 if day.day in (3, 4, 5) else 20.0 for day in days},
        8: dict.fromkeys(days, 0.0),
    }
    [warning] = find_discrepancies(board, daily, 5.0)
    assert warning.parent.id == 5
    assert [c.id for c in warning.children] == [7]  # Chiller 2 read nothing
    assert warning.days == (date(2026, 6, 3), date(2026, 6, 4), date(2026, 6, 5))
    assert (warning.parent_kwh, warning.children_kwh, warning.excess_percent) == (
        120.0,
        180.0,
        50.0,
    )
    assert warning.message == (
        "Chiller 1 add up to 50.0 % more than HVAC board on 3 days (2026-06-03 to 2026-06-05): "
        "check the CTs and the parent"
    )


def test_a_parent_without_energy_is_warned_about_in_kwh() -> None:
    board = [dev(5, None, name="Board"), dev(7, 5, name="Pump")]
    [warning] = find_discrepancies(board, {7: {date(2026, 6, 2): 3.0}}, 5.0)
    assert warning.excess_percent is None
    assert warning.message == (
        "Pump add up to 3.0 kWh while Board has none on 1 day (2026-06-02): "
        "check the CTs and the parent"
    )


def test_no_warning_when_children_fit() -> None:
    daily = {1: {date(2026, 6, 1): 100.0}, 2: {date(2026, 6, 1): 99.0}}
    assert find_discrepancies([dev(1, None, "supply"), dev(2, 1)], daily, 5.0) == []


# ---------------------------------------------------------------- CSV


def test_tree_csv_has_empty_cells_for_no_data_and_guards_formulas() -> None:
    rows = [
        TreeCsvRow(date(2026, 6, 1), dev(1, None, "supply", "Incomer"), 100.5, 70.0, 30.5),
        TreeCsvRow(date(2026, 6, 1), dev(2, 1, name="=cmd()"), None, None, None),
    ]
    parsed = list(csv.reader(io.StringIO(tree_csv(rows))))
    assert parsed == [
        [
            "bucket_start",
            "device_id",
            "name",
            "role",
            "parent_id",
            "energy_import_kwh",
            "children_import_kwh",
            "remainder_kwh",
        ],
        ["2026-06-01", "1", "Incomer", "supply", "", "100.5", "70", "30.5"],
        ["2026-06-01", "2", "'=cmd()", "submeter", "1", "", "", ""],
    ]


# ---------------------------------------------------------------- properties

ROLES = st.sampled_from(["supply", "generation", "submeter"])


@st.composite
def forests(draw: st.DrawFn) -> list[TreeDevice]:
    """Any forest: node i's parent is one of the nodes before it (so no cycle), ids and
    names shuffled."""
    size = draw(st.integers(1, 25))
    parents = [draw(st.none() | st.integers(0, i - 1)) if i else None for i in range(size)]
    ids = draw(st.permutations(range(1, size + 1)))
    names = draw(st.lists(st.sampled_from("ABCDE"), min_size=size, max_size=size))
    return [
        TreeDevice(ids[i], names[i], None if p is None else ids[p], draw(ROLES))
        for i, p in enumerate(parents)
    ]


ENERGY = st.none() | st.floats(0, 1e6, allow_nan=False)


@given(forests(), st.data())
@settings(max_examples=150)
def test_every_parent_is_its_signed_children_plus_the_remainder(
    devices: list[TreeDevice], data: st.DataObject
) -> None:
    for _bucket in range(3):
        energy = {d.id: data.draw(ENERGY) for d in devices}
        result = balances(devices, energy)
        for parent in devices:
            children = [d for d in devices if d.parent_id == parent.id]
            if not children:
                assert parent.id not in result
                continue
            balance = result[parent.id]
            with_data = [(c, energy[c.id]) for c in children if energy[c.id] is not None]
            if not with_data or energy[parent.id] is None:
                assert balance.remainder_kwh is None
                continue
            signed = sum(-e if c.role == "generation" else e for c, e in with_data if e is not None)
            assert balance.children_import_kwh == pytest.approx(signed, abs=1e-6)
            assert balance.remainder_kwh is not None
            assert energy[parent.id] == pytest.approx(signed + balance.remainder_kwh, abs=1e-6)


@given(forests())
@settings(max_examples=300)
def test_tree_order_puts_every_parent_before_its_children(devices: list[TreeDevice]) -> None:
    order = tree_order(devices)
    assert sorted(d.id for d, _ in order) == sorted(d.id for d in devices)
    position = {d.id: i for i, (d, _) in enumerate(order)}
    depth = {d.id: depth for d, depth in order}
    for device in devices:
        if device.parent_id is not None:
            assert position[device.parent_id] < position[device.id]
            assert depth[device.id] == depth[device.parent_id] + 1
        else:
            assert depth[device.id] == 0


def _on_a_cycle(devices: list[TreeDevice]) -> set[int]:
    """Brute force: the devices that reach themselves by following parents."""
    parent = {d.id: d.parent_id for d in devices}
    looping = set()
    for device in devices:
        current = parent.get(device.id)
        for _ in range(len(devices)):
            if current is None or current not in parent:
                break
            if current == device.id:
                looping.add(device.id)
                break
            current = parent[current]
    return looping


@st.composite
def any_parents(draw: st.DrawFn) -> list[TreeDevice]:
    """Any parent links at all, cycles and self-parents included."""
    size = draw(st.integers(1, 12))
    return [
        TreeDevice(i, f"D{i}", draw(st.none() | st.integers(1, size)), draw(ROLES))
        for i in range(1, size + 1)
    ]


@given(any_parents())
@settings(max_examples=500)
def test_cycle_detection_never_accepts_a_cycle(devices: list[TreeDevice]) -> None:
    looping = _on_a_cycle(devices)
    flagged = {p.device_id for p in tree_problems(devices) if p.kind == "cycle"}
    assert flagged == looping
    assert sorted(d.id for d, _ in tree_order(devices)) == sorted(d.id for d in devices)


@given(forests(), st.data())
@settings(max_examples=300)
def test_a_change_that_closes_a_cycle_is_always_refused(
    devices: list[TreeDevice], data: st.DataObject
) -> None:
    device = data.draw(st.sampled_from(devices))
    below = {device.id}
    grew = True
    while grew:  # the device and everything below it
        more = {d.id for d in devices if d.parent_id in below} - below
        below |= more
        grew = bool(more)
    new_parent = data.draw(st.sampled_from(sorted(below)))
    moved = TreeDevice(device.id, device.name, new_parent, device.role)
    problem = first_new_problem(devices, changed(devices, moved), device.id)
    assert problem is not None
    assert (problem.device_id, problem.kind) == (device.id, "cycle")


@given(forests(), st.data())
@settings(max_examples=200)
def test_discrepancy_days_are_the_days_that_break_the_rule(
    devices: list[TreeDevice], data: st.DataObject
) -> None:
    days = [date(2026, 6, 1) + timedelta(days=n) for n in range(3)]
    daily = {
        d.id: {day: kwh for day in days if (kwh := data.draw(ENERGY)) is not None} for d in devices
    }
    warnings = {w.parent.id: w for w in find_discrepancies(devices, daily, 5.0)}
    for parent in devices:
        children = [d for d in devices if d.parent_id == parent.id]
        expected = [
            day
            for day in days
            if any(day in daily[c.id] for c in children)
            and is_discrepancy(
                daily[parent.id].get(day),
                sum(daily[c.id].get(day, 0.0) for c in children if c.role != "generation"),
                sum(daily[c.id].get(day, 0.0) for c in children if c.role == "generation"),
                5.0,
            )
        ]
        assert (list(warnings[parent.id].days) if parent.id in warnings else []) == expected
