"""The maths of a virtual meter's formula (pure): its shape, cycles, device coefficients, text.

A virtual meter is a list of signed terms, each a device or another virtual meter of the
same site. Expanded, it is a sum of devices with integer coefficients (``Incomer - A - B``
is ``{incomer: 1, a: -1, b: -1}``; a device reached twice adds up, one added and subtracted
nets to ``0``). Meters may nest but never refer back to themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SIGNS = (1, -1)
MINUS = "\u2212"  # the minus sign, not a hyphen


@dataclass(frozen=True)
class Term:
    """``sign`` times a device (``device_id``) or another virtual meter (``meter_id``)."""

    sign: int
    device_id: int | None = None
    meter_id: int | None = None


TermsByMeter = Mapping[int, Sequence[Term]]


@dataclass(frozen=True)
class TermProblem:
    """What is wrong with a term: the field (``terms.N.device_id`` …) and why."""

    field: str
    message: str


class CycleError(ValueError):
    """A meter reaches itself through its terms; ``path`` is the loop (first == last)."""

    def __init__(self, path: Sequence[int]) -> None:
        super().__init__(f"virtual meters refer to each other: {' -> '.join(map(str, path))}")
        self.path = tuple(path)


def shape_problem(terms: Sequence[Term]) -> TermProblem | None:
    """The first term that names neither or both of a device and a meter, or whose sign is not
    ±1; a list without terms is a problem of ``terms``. None when the shape is right."""
    if not terms:
        return TermProblem("terms", "a virtual meter needs at least one term")
    for position, term in enumerate(terms):
        prefix = f"terms.{position}"
        if term.device_id is None and term.meter_id is None:
            return TermProblem(f"{prefix}.device_id", "name a device_id or a meter_id")
        if term.device_id is not None and term.meter_id is not None:
            return TermProblem(f"{prefix}.meter_id", "name a device_id or a meter_id, not both")
        if term.sign not in SIGNS:
            return TermProblem(f"{prefix}.sign", "must be 1 or -1")
    return None


def path_back(target: int, start: int, terms_of: TermsByMeter) -> list[int] | None:
    """The chain of meters from ``start`` to ``target`` through their meter terms (both
    included), or None when ``start`` never reaches ``target``."""
    parents: dict[int, int | None] = {start: None}
    stack = [start]
    while stack:
        meter = stack.pop()
        if meter == target:
            path = [meter]
            while (parent := parents[path[-1]]) is not None:
                path.append(parent)
            return path[::-1]
        for term in terms_of.get(meter, ()):
            if term.meter_id is not None and term.meter_id not in parents:
                parents[term.meter_id] = meter
                stack.append(term.meter_id)
    return None


def cycle_problem(
    meter_id: int | None, terms: Sequence[Term], terms_of: TermsByMeter
) -> tuple[int, list[int]] | None:
    """The first meter term of ``terms`` (the new terms of meter ``meter_id``; None for a meter
    not stored yet, which nothing can refer to) that leads back to ``meter_id``: its position
    and the loop ``[meter_id, …, meter_id]``. None when there is no loop."""
    if meter_id is None:
        return None
    for position, term in enumerate(terms):
        if term.meter_id is None:
            continue
        back = path_back(meter_id, term.meter_id, terms_of)
        if back is not None:
            return position, [meter_id, *back]
    return None


def expand(meter_id: int, terms_of: TermsByMeter) -> dict[int, int]:
    """The meter as ``{device_id: net coefficient}``, nested meters expanded, devices in the
    order they first appear (a net ``0`` is kept: the device is read, and adds nothing).
    Raises ``CycleError`` when a meter reaches itself, ``KeyError`` for an unknown meter."""
    done: dict[int, dict[int, int]] = {}

    def visit(meter: int, path: tuple[int, ...]) -> dict[int, int]:
        if meter in path:
            raise CycleError([*path[path.index(meter) :], meter])
        if meter in done:
            return done[meter]
        total: dict[int, int] = {}
        for term in terms_of[meter]:
            if term.device_id is not None:
                total[term.device_id] = total.get(term.device_id, 0) + term.sign
            elif term.meter_id is not None:
                for device_id, coefficient in visit(term.meter_id, (*path, meter)).items():
                    total[device_id] = total.get(device_id, 0) + term.sign * coefficient
        done[meter] = total
        return total

    return dict(visit(meter_id, ()))


def formula_text(parts: Sequence[tuple[int, str]]) -> str:
    """``(sign, name)`` pairs as ``"Incomer \u2212 Building A + Solar"`` (a first term subtracted
    reads ``"\u2212Incomer"``)."""
    text = ""
    for index, (sign, name) in enumerate(parts):
        if index == 0:
            text = name if sign > 0 else f"{MINUS}{name}"
        else:
            text += f" + {name}" if sign > 0 else f" {MINUS} {name}"
    return text
