"""Consistency rules for a tariff, with messages that point at the place.

Window semantics: a period lists day types and a wall-clock window. A window
with ``start < end`` covers ``[start, end)`` of each listed day; one with
``start > end`` wraps midnight and covers ``[start, 24:00)`` and
``[00:00, end)`` *of the same day type* (so "weekday off-peak 22:00-06:00"
fills both ends of every weekday). Every minute of every day type of every
season must be covered by exactly one period.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from power_portal.tariffs.schemas import DAYS, TariffIn, TariffVersion, minutes_of

MINUTES_PER_DAY = 1440
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class TariffProblem:
    loc: Loc
    message: str

    def as_detail(self) -> dict[str, object]:
        return {"loc": ["body", *self.loc], "msg": self.message, "type": "tariff_invalid"}


def window_minutes(start: str, end: str) -> npt.NDArray[np.bool_]:
    """The minutes of a day a window covers (wrapping windows cover both ends)."""
    covered = np.zeros(MINUTES_PER_DAY, dtype=bool)
    lo, hi = minutes_of(start), minutes_of(end)
    if lo < hi:
        covered[lo:hi] = True
    else:
        covered[lo:] = True
        covered[:hi] = True
    return covered


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@lru_cache(maxsize=1)
def _supported_calendars() -> frozenset[str]:
    import holidays

    return frozenset(holidays.list_supported_countries())


def _check_seasons(version: TariffVersion, at: Loc) -> list[TariffProblem]:
    problems: list[TariffProblem] = []
    names = [s.name for s in version.seasons]
    for i, name in enumerate(names):
        if names.index(name) != i:
            problems.append(TariffProblem((*at, "seasons", i, "name"), f"season {name} twice"))
    owner: dict[int, str] = {}
    for i, season in enumerate(version.seasons):
        for month in season.months:
            if month in owner and owner[month] != season.name:
                problems.append(
                    TariffProblem(
                        (*at, "seasons", i, "months"),
                        f"month {month} is in seasons {owner[month]} and {season.name}",
                    )
                )
            owner.setdefault(month, season.name)
    for month in range(1, 13):
        if month not in owner:
            problems.append(TariffProblem((*at, "seasons"), f"month {month} is in no season"))
    return problems


def _check_windows(version: TariffVersion, at: Loc) -> list[TariffProblem]:
    problems: list[TariffProblem] = []
    seasons = {s.name for s in version.seasons}
    # coverage[season][day] -> count per minute, and the first two names seen per minute
    for i, period in enumerate(version.periods):
        if period.season not in seasons:
            problems.append(
                TariffProblem((*at, "periods", i, "season"), f"unknown season {period.season}")
            )
        if period.start == period.end:
            problems.append(
                TariffProblem(
                    (*at, "periods", i, "end"),
                    f"period {period.name}: start and end are both {period.start}; "
                    "use 00:00 to 24:00 for a whole day",
                )
            )
    for season in version.seasons:
        for day in DAYS:
            owners: list[tuple[int, str, npt.NDArray[np.bool_]]] = [
                (i, p.name, window_minutes(p.start, p.end))
                for i, p in enumerate(version.periods)
                if p.season == season.name and day in p.days and p.start != p.end
            ]
            count = np.zeros(MINUTES_PER_DAY, dtype=np.int16)
            for _, _, covered in owners:
                count += covered
            if (count == 1).all():
                continue
            uncovered = np.flatnonzero(count == 0)
            if uncovered.size:
                minute = int(uncovered[0])
                problems.append(
                    TariffProblem(
                        (*at, "periods"),
                        f"season {season.name}, {day.value} {_hhmm(minute)}: covered by no period",
                    )
                )
            doubled = np.flatnonzero(count > 1)
            if doubled.size:
                minute = int(doubled[0])
                clash = [(i, name) for i, name, covered in owners if covered[minute]]
                names = " and ".join(name for _, name in clash)
                problems.append(
                    TariffProblem(
                        (*at, "periods", clash[-1][0]),
                        f"season {season.name}, {day.value} {_hhmm(minute)}: covered by {names}",
                    )
                )
    return problems


def _check_rates(version: TariffVersion, at: Loc) -> list[TariffProblem]:
    problems: list[TariffProblem] = []
    seasons = {s.name for s in version.seasons}
    period_names = {p.name for p in version.periods}
    used = {(p.season, p.name) for p in version.periods}
    seen: dict[tuple[str, str], int] = {}
    for i, rate in enumerate(version.energy_rates):
        key = (rate.season, rate.period)
        if rate.season not in seasons:
            problems.append(
                TariffProblem((*at, "energy_rates", i, "season"), f"unknown season {rate.season}")
            )
        if rate.period not in period_names:
            problems.append(
                TariffProblem((*at, "energy_rates", i, "period"), f"unknown period {rate.period}")
            )
        if key in seen:
            problems.append(
                TariffProblem(
                    (*at, "energy_rates", i),
                    f"season {rate.season}, period {rate.period} has two rates",
                )
            )
        seen[key] = i
        if rate.blocks is not None:
            edges = [b.up_to_kwh for b in rate.blocks]
            if not edges or edges[-1] is not None or any(e is None for e in edges[:-1]):
                problems.append(
                    TariffProblem(
                        (*at, "energy_rates", i, "blocks"),
                        "blocks need an up_to_kwh each, except the last, which has none",
                    )
                )
            else:
                finite = [e for e in edges if e is not None]
                if finite != sorted(set(finite)):
                    problems.append(
                        TariffProblem(
                            (*at, "energy_rates", i, "blocks"),
                            "block edges (up_to_kwh) must rise",
                        )
                    )
    for season, period in sorted(used):
        if (season, period) not in seen:
            problems.append(
                TariffProblem(
                    (*at, "energy_rates"), f"season {season}, period {period} has no rate"
                )
            )
    for i, charge in enumerate(version.demand_charges):
        for period in charge.periods:
            if period not in period_names:
                problems.append(
                    TariffProblem((*at, "demand_charges", i, "periods"), f"unknown period {period}")
                )
        if charge.season is not None and charge.season not in seasons:
            problems.append(
                TariffProblem(
                    (*at, "demand_charges", i, "season"), f"unknown season {charge.season}"
                )
            )
    return problems


def _check_versions(tariff: TariffIn) -> list[TariffProblem]:
    problems: list[TariffProblem] = []
    order = sorted(range(len(tariff.versions)), key=lambda i: tariff.versions[i].effective_from)
    for i, version in enumerate(tariff.versions):
        if version.effective_to is not None and version.effective_to <= version.effective_from:
            problems.append(
                TariffProblem(("versions", i, "effective_to"), "must be after effective_from")
            )
    for earlier, later in itertools.pairwise(order):
        a, b = tariff.versions[earlier], tariff.versions[later]
        if a.effective_to is None or a.effective_to > b.effective_from:
            problems.append(
                TariffProblem(
                    ("versions", later, "effective_from"),
                    f"versions overlap: the version from {a.effective_from} is still in force "
                    f"on {b.effective_from}",
                )
            )
    return problems


def validate_tariff(tariff: TariffIn) -> list[TariffProblem]:
    problems = _check_versions(tariff)
    if tariff.public_holidays is not None:
        calendar = tariff.public_holidays.calendar
        if calendar not in _supported_calendars():
            problems.append(
                TariffProblem(
                    ("public_holidays", "calendar"),
                    f"unknown holiday calendar {calendar}: use a country code such as ZA",
                )
            )
    for i, version in enumerate(tariff.versions):
        at: Loc = ("versions", i)
        problems += _check_seasons(version, at)
        problems += _check_windows(version, at)
        problems += _check_rates(version, at)
    return problems
