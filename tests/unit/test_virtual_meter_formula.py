"""A virtual meter's formula: its shape, cycles, expansion into device coefficients, its text;
worked examples, and properties (hypothesis): a meter equals its formula over its devices."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from power_portal.virtual_meters.formula import (
    MINUS,
    CycleError,
    Term,
    TermProblem,
    cycle_problem,
    expand,
    formula_text,
    path_back,
    shape_problem,
)


def device(device_id: int, sign: int = 1) -> Term:
    return Term(sign, device_id=device_id)


def meter(meter_id: int, sign: int = 1) -> Term:
    return Term(sign, meter_id=meter_id)


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        ([device(1)], None),
        ([device(1), device(2, -1), meter(3, -1)], None),
        ([], TermProblem("terms", "a virtual meter needs at least one term")),
        ([device(1), Term(1)], TermProblem("terms.1.device_id", "name a device_id or a meter_id")),
        (
            [Term(-1, device_id=1, meter_id=2)],
            TermProblem("terms.0.meter_id", "name a device_id or a meter_id, not both"),
        ),
        ([device(1, 2)], TermProblem("terms.0.sign", "must be 1 or -1")),
        ([device(1), device(2, 0)], TermProblem("terms.1.sign", "must be 1 or -1")),
        # the first problem wins
        ([Term(5), Term(1)], TermProblem("terms.0.device_id", "name a device_id or a meter_id")),
    ],
)
def test_shape_problem(terms: list[Term], expected: TermProblem | None) -> None:
    assert shape_problem(terms) == expected


# meter 10 = d1 - d2; meter 11 = m10 - d3; meter 12 = m11 + m10 + d1
SITE: dict[int, list[Term]] = {
    10: [device(1), device(2, -1)],
    11: [meter(10), device(3, -1)],
    12: [meter(11), meter(10), device(1)],
    13: [device(4), device(4, -1)],
}


@pytest.mark.parametrize(
    ("meter_id", "expected"),
    [
        (10, {1: 1, 2: -1}),
        (11, {1: 1, 2: -1, 3: -1}),
        # a device reached twice adds up: (d1 - d2 - d3) + (d1 - d2) + d1
        (12, {1: 3, 2: -2, 3: -1}),
        # added and subtracted: kept with a net 0
        (13, {4: 0}),
    ],
)
def test_expand(meter_id: int, expected: dict[int, int]) -> None:
    coefficients = expand(meter_id, SITE)
    assert coefficients == expected
    assert list(coefficients) == list(expected)  # in the order devices first appear


def test_expand_subtracts_a_whole_nested_meter() -> None:
    site = {1: [device(7), device(8)], 2: [device(9), meter(1, -1)]}
    assert expand(2, site) == {9: 1, 7: -1, 8: -1}


@pytest.mark.parametrize(
    ("site", "meter_id", "loop"),
    [
        ({1: [meter(1)]}, 1, (1, 1)),
        ({1: [meter(2)], 2: [device(5), meter(1, -1)]}, 1, (1, 2, 1)),
        ({1: [device(5), meter(2)], 2: [meter(3)], 3: [meter(2)]}, 1, (2, 3, 2)),
    ],
)
def test_expand_refuses_a_cycle(
    site: dict[int, list[Term]], meter_id: int, loop: tuple[int, ...]
) -> None:
    with pytest.raises(CycleError) as raised:
        expand(meter_id, site)
    assert raised.value.path == loop


@pytest.mark.parametrize(
    ("target", "start", "expected"),
    [
        (10, 10, [10]),
        (10, 12, [12, 11, 10]),  # depth first: either chain is a right answer; this is one
        (11, 10, None),
        (13, 12, None),
    ],
)
def test_path_back(target: int, start: int, expected: list[int] | None) -> None:
    path = path_back(target, start, SITE)
    if expected is None:
        assert path is None
    else:
        assert path is not None
        assert (path[0], path[-1]) == (start, target)
        assert all(any(t.meter_id == b for t in SITE[a]) for a, b in itertools.pairwise(path))


@pytest.mark.parametrize(
    ("meter_id", "terms", "expected"),
    [
        # a new meter: nothing refers to it yet
        (None, [meter(12)], None),
        # 10 taking in 12, which is built on 10
        (10, [device(1), meter(12)], (1, [10, 12, 10])),
        (10, [device(1), meter(11, -1)], (1, [10, 11, 10])),
        # 12 may take in 13: 13 does not lead back to 12
        (12, [meter(13)], None),
        (13, [meter(12)], None),
    ],
)
def test_cycle_problem(
    meter_id: int | None, terms: list[Term], expected: tuple[int, list[int]] | None
) -> None:
    problem = cycle_problem(meter_id, terms, SITE)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None
        position, loop = problem
        assert position == expected[0]
        assert (loop[0], loop[-1], loop[1]) == (meter_id, meter_id, terms[position].meter_id)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (
            [(1, "Incomer"), (-1, "Building A"), (-1, "Chillers")],
            f"Incomer {MINUS} Building A {MINUS} Chillers",
        ),
        ([(1, "A"), (1, "B")], "A + B"),
        ([(-1, "Solar"), (1, "Grid")], f"{MINUS}Solar + Grid"),
        ([(1, "Only")], "Only"),
    ],
)
def test_formula_text(parts: list[tuple[int, str]], expected: str) -> None:
    assert formula_text(parts) == expected


# ---------------------------------------------------------------- properties


@st.composite
def sites(draw: st.DrawFn) -> dict[int, list[Term]]:
    """A site's meters, each built from devices and meters created before it (no cycles)."""
    count = draw(st.integers(1, 8))
    site: dict[int, list[Term]] = {}
    for meter_id in range(100, 100 + count):
        earlier = list(site)
        reference = st.one_of(
            st.builds(device, st.integers(1, 6), st.sampled_from([1, -1])),
            *(
                [st.builds(meter, st.sampled_from(earlier), st.sampled_from([1, -1]))]
                if earlier
                else []
            ),
        )
        site[meter_id] = draw(st.lists(reference, min_size=1, max_size=5))
    return site


def evaluate(meter_id: int, site: Mapping[int, Sequence[Term]], energy: Mapping[int, int]) -> int:
    """The meter's value as written: each term's sign times its device's or meter's value."""
    return sum(
        term.sign
        * (
            energy[term.device_id]
            if term.device_id is not None
            else evaluate(term.meter_id or 0, site, energy)
        )
        for term in site[meter_id]
    )


@settings(max_examples=300, deadline=None)
@given(sites(), st.lists(st.integers(-10_000, 10_000), min_size=6, max_size=6))
def test_a_meter_equals_its_formula_over_its_devices(
    site: dict[int, list[Term]], values: list[int]
) -> None:
    energy = dict(enumerate(values, start=1))
    for meter_id in site:
        coefficients = expand(meter_id, site)
        assert sum(c * energy[d] for d, c in coefficients.items()) == evaluate(
            meter_id, site, energy
        )
        # exactly the devices the formula reaches, nothing else
        assert set(coefficients) == reached_devices(meter_id, site)


def reached_devices(meter_id: int, site: Mapping[int, Sequence[Term]]) -> set[int]:
    found: set[int] = set()
    for term in site[meter_id]:
        if term.device_id is not None:
            found.add(term.device_id)
        else:
            found |= reached_devices(term.meter_id or 0, site)
    return found


@settings(max_examples=200, deadline=None)
@given(sites(), st.data())
def test_a_term_back_to_a_meter_below_is_a_cycle(
    site: dict[int, list[Term]], data: st.DataObject
) -> None:
    """Giving any meter a term naming a meter it is (directly or not) part of makes a loop:
    ``cycle_problem`` says so, and ``expand`` refuses it; a meter it is not part of is fine."""
    target = data.draw(st.sampled_from(list(site)))
    users = {m for m in site if path_back(target, m, site) is not None}  # target included
    chosen = data.draw(st.sampled_from(sorted(site)))
    terms = [*site[target], meter(chosen)]
    problem = cycle_problem(target, terms, site)
    changed = {**site, target: terms}
    if chosen in users:
        assert problem is not None
        position, loop = problem
        assert position == len(terms) - 1
        assert loop[0] == loop[-1] == target
        with pytest.raises(CycleError):
            expand(target, changed)
    else:
        assert problem is None
        assert expand(target, changed) is not None
