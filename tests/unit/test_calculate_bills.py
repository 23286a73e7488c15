"""calculate_bills (several bills sharing one calendar and rate tables) gives each bill exactly
as calculate_bill does: the tenants' bills of a site rely on it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from power_portal.tariffs.calculator import (
    BillError,
    Readings,
    calculate_bill,
    calculate_bills,
)
from power_portal.tariffs.schemas import TariffIn
from tests.support.tariffs import SAST, eskom_style_tariff, municipal_block_tariff, steady_readings

START, END = date(2026, 6, 1), date(2026, 7, 1)


@pytest.mark.parametrize("document", [eskom_style_tariff(), municipal_block_tariff()])
def test_each_bill_is_calculate_bills(document: dict[str, object]) -> None:
    tariff = TariffIn.model_validate(document)
    lo, hi = datetime(2026, 5, 31, tzinfo=SAST), datetime(2026, 7, 2, tzinfo=SAST)
    one = steady_readings(lo, hi, 12.0, power_factor=0.9)
    other = steady_readings(lo + timedelta(days=10), hi, 3.5, step=timedelta(hours=1))
    entries: list[Readings | list[Readings]] = [one, [one, other], [], [other]]
    assert calculate_bills(tariff, entries, START, END) == [
        calculate_bill(tariff, entry, START, END) for entry in entries
    ]


def test_the_span_is_checked_once_for_all() -> None:
    tariff = TariffIn.model_validate(eskom_style_tariff())
    with pytest.raises(BillError):
        calculate_bills(tariff, [[]], END, START)
    assert calculate_bills(tariff, [], START, END) == []
