"""Which meters are the common areas of a month (pure): the sub-meters and virtual meters
no tenant holds, that neither sit inside nor contain a tenant's meter, each counted once.

A device "inside" a tenant's meter is below a held device in the metering tree or a term of
a held virtual meter; a device "containing" one is above a held device. Such meters are left
out (their energy is a tenant's, or partly one's). Of nested free sub-meters only the top
one counts, and a virtual meter counts only when all its devices are free sub-meters that no
common meter already covers, so no kWh is counted twice. What no meter covers is the
supply points' remainder (the unmetered part).
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass


@dataclass(frozen=True)
class TreeMeter:
    """A device as the tree sees it."""

    id: int
    parent_id: int | None
    role: str


@dataclass(frozen=True)
class CommonMeters:
    device_ids: list[int]
    virtual_meter_ids: list[int]


def _ancestors(device_id: int, parents: Mapping[int, int | None]) -> list[int]:
    found: list[int] = []
    seen = {device_id}
    parent = parents.get(device_id)
    while parent is not None and parent not in seen:
        found.append(parent)
        seen.add(parent)
        parent = parents.get(parent)
    return found


def common_meters(
    devices: list[TreeMeter],
    virtual_meters: Mapping[int, Mapping[int, int]],
    held_device_ids: Set[int],
    held_virtual_meter_ids: Set[int],
) -> CommonMeters:
    """The common-area devices and virtual meters (by id, ascending).

    ``virtual_meters`` maps each virtual meter to its device coefficients
    (``virtual_meters.formula.expand``).

    Example: Incomer (supply) > Board > {Shop, Lights}; Shop held by a tenant. Board contains
    a tenant's meter, Shop is held: Lights alone is a common area.

    >>> tree = [TreeMeter(1, None, "supply"), TreeMeter(2, 1, "submeter"),
    ...         TreeMeter(3, 2, "submeter"), TreeMeter(4, 2, "submeter")]
    >>> common_meters(tree, {}, {3}, set())
    CommonMeters(device_ids=[4], virtual_meter_ids=[])
    """
    parents = {d.id: d.parent_id for d in devices}
    inside_held = set(held_device_ids)
    for meter_id in held_virtual_meter_ids:
        inside_held |= {d for d, c in virtual_meters.get(meter_id, {}).items() if c}
    containing_held = {a for d in inside_held for a in _ancestors(d, parents)}
    free = {
        d.id
        for d in devices
        if d.role == "submeter"
        and d.id not in inside_held
        and d.id not in containing_held
        and not inside_held.intersection(_ancestors(d.id, parents))
    }
    common_devices = sorted(d for d in free if not free.intersection(_ancestors(d, parents)))
    covered = set(common_devices) | {
        d for d in free if set(_ancestors(d, parents)) & set(common_devices)
    }
    common_virtual: list[int] = []
    for meter_id in sorted(virtual_meters):
        if meter_id in held_virtual_meter_ids:
            continue
        used = {d for d, c in virtual_meters[meter_id].items() if c}
        if used and used <= free and not used & covered:
            common_virtual.append(meter_id)
            covered |= used
    return CommonMeters(common_devices, common_virtual)
