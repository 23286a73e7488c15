"""The metering tree's pure decisions and maths: checks, tree order, remainders, discrepancies.

A site's meters form a tree (``parent_id``): supply points on the utility's supply at the
roots, sub-meters below them, generation meters (solar) anywhere. Nothing here reads the
database; ``sites.service`` hands in the site's devices and their energy per local day.

- ``tree_problems``: what is wrong with a site's tree (a parent not on the site, a cycle, a
  supply point with a parent, a sub-meter without a supply point above it); a change is
  refused with the first problem it adds (``first_new_problem``).
- ``tree_order``: parents before their children, siblings by name.
- ``balances``: per parent and bucket, ``remainder = parent - Σ submeter children +
  Σ generation children`` (never clipped).
- ``find_discrepancies``: the local days on which a parent's children add up to more than
  the parent by over the site's ``discrepancy_percent``, one warning per parent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

Role = Literal["supply", "generation", "submeter"]
ProblemKind = Literal["unknown_parent", "cycle", "supply_with_parent", "no_supply_above"]

# A day on which the parent has no energy counts as a discrepancy when its children have
# more than this (kWh): a percentage of nothing says nothing.
NO_PARENT_ENERGY_KWH = 0.5


@dataclass(frozen=True)
class TreeDevice:
    """A device as the tree sees it; ``id`` 0 is a device not stored yet."""

    id: int
    name: str
    parent_id: int | None
    role: str

    @property
    def label(self) -> str:
        """How a message names it: by name and id."""
        return f"{self.name} (id {self.id})" if self.id else f"{self.name} (new device)"


@dataclass(frozen=True)
class TreeProblem:
    device_id: int
    kind: ProblemKind
    message: str


# ---------------------------------------------------------------- checks


def _walk_up(device: TreeDevice, by_id: Mapping[int, TreeDevice]) -> tuple[list[TreeDevice], bool]:
    """The device and its parents upwards, and whether the walk came back to the device (a
    cycle through it). Stops at a root, at a parent not on the site, or at a device seen
    before (the device hangs below a cycle it is not part of)."""
    path = [device]
    seen = {device.id}
    current = device
    while current.parent_id is not None:
        parent = by_id.get(current.parent_id)
        if parent is None:
            break
        if parent.id == device.id:
            return [*path, parent], True
        if parent.id in seen:
            break
        path.append(parent)
        seen.add(parent.id)
        current = parent
    return path, False


def _problem_of(
    device: TreeDevice, by_id: Mapping[int, TreeDevice], site_has_supply: bool
) -> TreeProblem | None:
    if device.parent_id is not None and device.parent_id not in by_id:
        return TreeProblem(
            device.id,
            "unknown_parent",
            f"{device.label}: device {device.parent_id} cannot be its parent: "
            "it does not exist or is on another site",
        )
    path, cycle = _walk_up(device, by_id)
    if cycle:
        chain = " → ".join(d.label for d in path)
        return TreeProblem(device.id, "cycle", f"{device.label} would be below itself: {chain}")
    if device.role == "supply" and device.parent_id is not None:
        parent = by_id[device.parent_id]
        return TreeProblem(
            device.id,
            "supply_with_parent",
            f"{device.label} is a supply point and cannot have a parent "
            f"({parent.label}): a supply point is a root",
        )
    if site_has_supply and device.role == "submeter" and path[-1].role != "supply":
        return TreeProblem(
            device.id,
            "no_supply_above",
            f"{device.label} has no supply point above it: the site has supply meters, "
            "so every sub-meter sits below one",
        )
    return None


def tree_problems(devices: Sequence[TreeDevice]) -> list[TreeProblem]:
    """Every device's first problem, by device id."""
    by_id = {device.id: device for device in devices}
    site_has_supply = any(device.role == "supply" for device in devices)
    problems = (_problem_of(device, by_id, site_has_supply) for device in devices)
    return sorted((p for p in problems if p is not None), key=lambda p: p.device_id)


def first_new_problem(
    before: Sequence[TreeDevice], after: Sequence[TreeDevice], changed_id: int
) -> TreeProblem | None:
    """The first problem of ``after`` that ``before`` did not have, the changed device's
    first. Problems a change leaves as they were (children made roots when their parent was
    deleted) do not block a change that does not touch them."""
    known = {(p.device_id, p.kind) for p in tree_problems(before)}
    new = [p for p in tree_problems(after) if (p.device_id, p.kind) not in known]
    new.sort(key=lambda p: p.device_id != changed_id)
    return new[0] if new else None


# ---------------------------------------------------------------- order


def _children_of(devices: Sequence[TreeDevice]) -> dict[int, list[TreeDevice]]:
    ids = {device.id for device in devices}
    children: dict[int, list[TreeDevice]] = defaultdict(list)
    for device in devices:
        if device.parent_id is not None and device.parent_id in ids:
            children[device.parent_id].append(device)
    return children


def _by_name(devices: Iterable[TreeDevice]) -> list[TreeDevice]:
    return sorted(devices, key=lambda d: (d.name, d.id))


def tree_order(devices: Sequence[TreeDevice]) -> list[tuple[TreeDevice, int]]:
    """Each device with its depth, every parent before its children, siblings by name.

    A device whose parent is not in ``devices`` is a root. Devices on a cycle (the checks
    refuse them, so only a broken table has one) come last, at depth 0."""
    ids = {device.id for device in devices}
    children = _children_of(devices)
    roots = [d for d in devices if d.parent_id is None or d.parent_id not in ids]
    ordered: list[tuple[TreeDevice, int]] = []
    placed: set[int] = set()
    stack = [(root, 0) for root in reversed(_by_name(roots))]
    while stack:
        device, depth = stack.pop()
        if device.id in placed:
            continue
        placed.add(device.id)
        ordered.append((device, depth))
        stack.extend((child, depth + 1) for child in reversed(_by_name(children[device.id])))
    ordered.extend((d, 0) for d in _by_name(devices) if d.id not in placed)
    return ordered


def has_supply_above(devices: Sequence[TreeDevice]) -> dict[int, bool]:
    """Per device: is it, or is any device above it, a supply point."""
    by_id = {device.id: device for device in devices}
    return {
        device.id: any(d.role == "supply" for d in _walk_up(device, by_id)[0]) for device in devices
    }


# ---------------------------------------------------------------- remainders


@dataclass(frozen=True)
class Balance:
    """A parent in one bucket: its children's energy (``Σ submeter - Σ generation``) and the
    remainder (``parent - children``: unmetered load and losses). None: no data."""

    children_import_kwh: float | None
    remainder_kwh: float | None


def _signed_children(
    children: Sequence[TreeDevice], energy: Mapping[int, float | None]
) -> tuple[float, float, bool]:
    """Σ consuming children, Σ generation children, and whether any child has data."""
    consuming = generation = 0.0
    any_data = False
    for child in children:
        value = energy.get(child.id)
        if value is None:
            continue
        any_data = True
        if child.role == "generation":
            generation += value
        else:
            consuming += value
    return consuming, generation, any_data


def balances(
    devices: Sequence[TreeDevice], energy: Mapping[int, float | None]
) -> dict[int, Balance]:
    """Per parent (a device with children), for one bucket's ``energy`` per device (None or
    absent: no data). Children without data are left out of the sum; no child with data, or
    a parent without data, gives no remainder."""
    result: dict[int, Balance] = {}
    for parent_id, children in _children_of(devices).items():
        consuming, generation, any_data = _signed_children(children, energy)
        if not any_data:
            result[parent_id] = Balance(None, None)
            continue
        net = consuming - generation
        parent = energy.get(parent_id)
        result[parent_id] = Balance(net, None if parent is None else parent - net)
    return result


def bucket_totals(
    daily: Mapping[int, Mapping[date, float]], bucket_of: Callable[[date], date]
) -> dict[date, dict[int, float]]:
    """Per bucket start (``bucket_of(day)``) and device, the sum of its days with data."""
    totals: dict[date, dict[int, float]] = defaultdict(dict)
    for device_id, days in daily.items():
        for day, kwh in days.items():
            bucket = totals[bucket_of(day)]
            bucket[device_id] = bucket.get(device_id, 0.0) + kwh
    return totals


# ---------------------------------------------------------------- discrepancies


def is_discrepancy(
    parent_kwh: float | None, consuming_kwh: float, generation_kwh: float, percent: float
) -> bool:
    """The consuming children exceed the parent (plus its generation children) by more than
    ``percent`` of the parent; with no parent energy, by more than NO_PARENT_ENERGY_KWH."""
    parent = parent_kwh or 0.0
    excess = consuming_kwh - parent - generation_kwh
    if parent <= 0.0:
        return excess > NO_PARENT_ENERGY_KWH
    return excess > parent * percent / 100.0


@dataclass(frozen=True)
class Discrepancy:
    """The days on which one parent's children added up to too much, with their totals
    (``children_kwh``: Σ submeter - Σ generation children on those days)."""

    parent: TreeDevice
    children: tuple[TreeDevice, ...]
    days: tuple[date, ...]
    parent_kwh: float
    children_kwh: float

    @property
    def excess_percent(self) -> float | None:
        if self.parent_kwh <= 0.0:
            return None
        return round((self.children_kwh - self.parent_kwh) / self.parent_kwh * 100.0, 1)

    @property
    def message(self) -> str:
        names = ", ".join(child.name for child in self.children)
        first, last = self.days[0], self.days[-1]
        when = (
            f"on 1 day ({first})"
            if len(self.days) == 1
            else f"on {len(self.days)} days ({first} to {last})"
        )
        excess = self.excess_percent
        how_much = (
            f"add up to {excess:.1f} % more than {self.parent.name}"
            if excess is not None
            else f"add up to {self.children_kwh:.1f} kWh while {self.parent.name} has none"
        )
        return f"{names} {how_much} {when}: check the CTs and the parent"


ChildSums = Mapping[int, Mapping[date, Sequence[float]]]


def children_per_day(
    devices: Sequence[TreeDevice], daily: Mapping[int, Mapping[date, float]]
) -> dict[int, dict[date, list[float]]]:
    """Per parent and day with any child's data: [Σ consuming children, Σ generation
    children] (the service has the database add these up; this is the same in Python)."""
    by_id = {d.id: d for d in devices}
    sums: dict[int, dict[date, list[float]]] = defaultdict(dict)
    for device_id, days in daily.items():
        child = by_id.get(device_id)
        if child is None or child.parent_id is None:
            continue
        slot = 1 if child.role == "generation" else 0
        per_day = sums[child.parent_id]
        for day, kwh in days.items():
            pair = per_day.get(day)
            if pair is None:
                pair = per_day[day] = [0.0, 0.0]
            pair[slot] += kwh
    return sums


@dataclass(frozen=True)
class DiscrepancyDays:
    """The days on which one parent's children added up to too much, and their totals."""

    parent: TreeDevice
    days: tuple[date, ...]
    parent_kwh: float
    children_kwh: float


def discrepancy_days(
    devices: Sequence[TreeDevice],
    parent_days: Mapping[int, Mapping[date, float]],
    child_sums: ChildSums,
    percent: float,
) -> list[DiscrepancyDays]:
    """Per parent (in tree order) with children: the days ``is_discrepancy`` finds, from
    its import per day (``parent_days``) and its children's sums (``children_per_day``)."""
    with_children = _children_of(devices)
    found: list[DiscrepancyDays] = []
    for parent, _depth in tree_order(devices):
        if parent.id not in with_children:
            continue
        own = parent_days.get(parent.id, {})
        per_day = child_sums.get(parent.id, {})
        bad_days: list[date] = []
        parent_total = children_total = 0.0
        for day in sorted(per_day):
            consuming, generation = per_day[day]
            parent_kwh = own.get(day)
            if is_discrepancy(parent_kwh, consuming, generation, percent):
                bad_days.append(day)
                parent_total += parent_kwh or 0.0
                children_total += consuming - generation
        if bad_days:
            found.append(DiscrepancyDays(parent, tuple(bad_days), parent_total, children_total))
    return found


def consuming_children(devices: Sequence[TreeDevice], parent_id: int) -> list[TreeDevice]:
    """A parent's children that draw energy (not generation), by name."""
    children = _children_of(devices).get(parent_id, ())
    return [child for child in _by_name(children) if child.role != "generation"]


def warning_of(found: DiscrepancyDays, named: Iterable[TreeDevice]) -> Discrepancy:
    """The warning, naming the consuming children that had energy on those days."""
    return Discrepancy(found.parent, tuple(named), found.days, found.parent_kwh, found.children_kwh)


def find_discrepancies(
    devices: Sequence[TreeDevice],
    daily: Mapping[int, Mapping[date, float]],
    percent: float,
) -> list[Discrepancy]:
    """One warning per parent (in tree order) with every discrepancy day of ``daily``
    (import kWh per device and local day; a day absent: no data)."""
    found = discrepancy_days(devices, daily, children_per_day(devices, daily), percent)
    return [
        warning_of(
            days,
            (
                child
                for child in consuming_children(devices, days.parent.id)
                if any(daily.get(child.id, {}).get(day, 0.0) > 0.0 for day in days.days)
            ),
        )
        for days in found
    ]
