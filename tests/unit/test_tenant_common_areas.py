"""Which meters are a month's common areas (tenants.common_areas): table-driven cases and a
property: no device is counted twice, and none is a tenant's or holds a tenant's."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from power_portal.tenants.common_areas import CommonMeters, TreeMeter, _ancestors, common_meters

# Incomer (1, supply) > Board (2) > Shop (3), Lights (4); Incomer > HVAC (5) > Fan (6);
# Incomer > Solar (7, generation)
TREE = [
    TreeMeter(1, None, "supply"),
    TreeMeter(2, 1, "submeter"),
    TreeMeter(3, 2, "submeter"),
    TreeMeter(4, 2, "submeter"),
    TreeMeter(5, 1, "submeter"),
    TreeMeter(6, 5, "submeter"),
    TreeMeter(7, 1, "generation"),
]


@pytest.mark.parametrize(
    ("virtual", "held_devices", "held_virtual", "expected"),
    [
        # nothing held: the top free sub-meters (their children are inside them)
        ({}, set(), set(), CommonMeters([2, 5], [])),
        # Shop held: Board contains it, Lights is free, HVAC is the top of its branch
        ({}, {3}, set(), CommonMeters([4, 5], [])),
        # Fan held: HVAC contains it
        ({}, {6}, set(), CommonMeters([2], [])),
        # a held virtual meter's devices are the tenant's
        ({10: {3: 1, 4: 1}}, set(), {10}, CommonMeters([5], [])),
        # a free virtual meter over free devices already counted adds nothing
        ({10: {4: 1, 6: 1}}, {3}, set(), CommonMeters([4, 5], [])),
        # a virtual meter of devices no common meter covers counts (here: none left)
        ({10: {1: 1, 3: -1}}, {3}, set(), CommonMeters([4, 5], [])),
    ],
)
def test_common_meters(
    virtual: dict[int, dict[int, int]],
    held_devices: set[int],
    held_virtual: set[int],
    expected: CommonMeters,
) -> None:
    assert common_meters(TREE, virtual, held_devices, held_virtual) == expected


def test_a_virtual_meter_over_uncovered_free_devices_is_common() -> None:
    flat = [TreeMeter(1, None, "supply"), TreeMeter(2, None, "submeter")]
    # device 2 has no parent in this tree but is free and top-level: counted as itself
    assert common_meters(flat, {10: {2: 1}}, set(), set()) == CommonMeters([2], [])


@given(
    parents=st.lists(st.integers(min_value=0, max_value=8), min_size=1, max_size=9),
    held=st.sets(st.integers(min_value=1, max_value=9), max_size=4),
)
def test_no_device_is_counted_twice_or_a_tenants(parents: list[int], held: set[int]) -> None:
    """A random forest (parent index below the child's): the common devices are disjoint
    from, neither above nor below, each other and the held ones."""
    tree = [
        TreeMeter(i + 1, parent if 0 < parent <= i else None, "submeter")
        for i, parent in enumerate(parents)
    ]
    parent_of = {m.id: m.parent_id for m in tree}
    found = common_meters(tree, {}, held, set())
    common = set(found.device_ids)
    assert not common & held
    for device in common:
        above = set(_ancestors(device, parent_of))
        assert not above & (common | held)
        assert not any(device in _ancestors(h, parent_of) for h in held)
