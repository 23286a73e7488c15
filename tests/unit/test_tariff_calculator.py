"""The bill calculator: worked examples computed by hand, and properties (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from power_portal.tariffs.calculator import BillError, Readings, calculate_bill
from power_portal.tariffs.schemas import Bill, TariffIn
from tests.support.tariffs import (
    SAST,
    eskom_style_tariff,
    eskom_style_version,
    flat_tariff,
    municipal_block_tariff,
    steady_readings,
)


def tariff(document: dict[str, Any]) -> TariffIn:
    return TariffIn.model_validate(document)


def lines_by(bill: Bill, kind: str) -> dict[str, Any]:
    return {line.description: line for line in bill.lines if line.kind == kind}


def test_eskom_style_week_with_a_public_holiday() -> None:
    """Mon 15 - Sun 21 June 2026 (high season), a steady 100 kW at PF 0.8.

    Tuesday 16 June is Youth Day, billed as a Sunday (all off-peak).
    Weekdays (Mon, Wed, Thu, Fri = 4): peak 5 h, standard 11 h, off-peak 8 h each.
    Saturday: standard 7 h (07-12, 18-20), off-peak 17 h. Sunday + holiday: off-peak 48 h.
      peak      4 x 5 h                =  20 h -> 2,000 kWh x 3.00 =  6,000.00
      standard  4 x 11 h + 7 h         =  51 h -> 5,100 kWh x 1.00 =  5,100.00
      off-peak  4 x 8 h + 17 h + 48 h  =  97 h -> 9,700 kWh x 0.50 =  4,850.00
      demand    125 kVA (100 kW / 0.8) x 45.00                    =  5,625.00
      service   7 days x 25.00                                     =    175.00
      subtotal                                                     = 21,750.00
      VAT 15 %                                                     =  3,262.50
      total                                                        = 25,012.50
    """
    start = datetime(2026, 6, 15, tzinfo=SAST)
    readings = steady_readings(start, start + timedelta(days=7), kw=100.0, power_factor=0.8)
    bill = calculate_bill(
        tariff(eskom_style_tariff()), readings, date(2026, 6, 15), date(2026, 6, 22)
    )
    energy = lines_by(bill, "energy")
    assert energy["Energy high peak"].quantity == pytest.approx(2000.0)
    assert energy["Energy high peak"].amount == 6000.00
    assert energy["Energy high standard"].quantity == pytest.approx(5100.0)
    assert energy["Energy high standard"].amount == 5100.00
    assert energy["Energy high off-peak"].quantity == pytest.approx(9700.0)
    assert energy["Energy high off-peak"].amount == 4850.00
    [demand] = lines_by(bill, "demand").values()
    assert demand.quantity == pytest.approx(125.0)
    assert demand.unit == "kVA"
    assert demand.amount == 5625.00
    assert lines_by(bill, "fixed")["Service charge"].quantity == 7
    assert lines_by(bill, "fixed")["Service charge"].amount == 175.00
    assert bill.subtotal == 21750.00
    assert bill.vat == 3262.50
    assert bill.total == 25012.50
    assert bill.energy_kwh == pytest.approx(16800.0)


def test_municipal_inclining_blocks() -> None:
    """June 2026 (30 days), 10 kWh a day = 300 kWh.

    block 1: 50 kWh x 1.50           =  75.00
    block 2: 250 kWh x 2.00          = 500.00
    basic charge: 1 month x 200.00   = 200.00
    subtotal 775.00, VAT 116.25, total 891.25
    """
    start = datetime(2026, 6, 1, tzinfo=SAST)
    readings = steady_readings(start, start + timedelta(days=30), kw=10 / 24)
    bill = calculate_bill(
        tariff(municipal_block_tariff()), readings, date(2026, 6, 1), date(2026, 7, 1)
    )
    energy = [line for line in bill.lines if line.kind == "energy"]
    assert [(round(line.quantity, 6), line.rate, line.amount) for line in energy] == [
        (50.0, 1.50, 75.00),
        (250.0, 2.00, 500.00),
    ]
    assert lines_by(bill, "fixed")["Basic charge"].quantity == pytest.approx(1.0)
    assert (bill.subtotal, bill.vat, bill.total) == (775.00, 116.25, 891.25)


def test_municipal_blocks_high_use_reaches_the_top_block() -> None:
    """20 kWh a day in June = 600 kWh: 50 x 1.5 + 300 x 2 + 250 x 2.5 = 1,300 + 200 basic.

    VAT 15 % of 1,500 = 225; total 1,725.
    """
    start = datetime(2026, 6, 1, tzinfo=SAST)
    readings = steady_readings(start, start + timedelta(days=30), kw=20 / 24)
    bill = calculate_bill(
        tariff(municipal_block_tariff()), readings, date(2026, 6, 1), date(2026, 7, 1)
    )
    amounts = [line.amount for line in bill.lines if line.kind == "energy"]
    assert amounts == [75.00, 600.00, 625.00]
    assert bill.total == 1725.00


def test_blocks_are_pro_rata_for_a_part_month() -> None:
    """15 of June's 30 days: block edges halve to 25 and 175 kWh."""
    start = datetime(2026, 6, 1, tzinfo=SAST)
    readings = steady_readings(start, start + timedelta(days=15), kw=20 / 24)  # 300 kWh
    bill = calculate_bill(
        tariff(municipal_block_tariff()), readings, date(2026, 6, 1), date(2026, 6, 16)
    )
    quantities = [round(line.quantity, 6) for line in bill.lines if line.kind == "energy"]
    assert quantities == [25.0, 150.0, 125.0]
    assert lines_by(bill, "fixed")["Basic charge"].quantity == pytest.approx(0.5)


def test_a_span_across_1_june_bills_each_season_at_its_rates() -> None:
    """Sat 30 May - Mon 1 June 2026, steady 10 kW.

    Sat 30 May (low): standard 7 h, off-peak 17 h; Sun 31 May (low): off-peak 24 h.
    Mon 1 June (high): peak 5 h, standard 11 h, off-peak 8 h.
    """
    start = datetime(2026, 5, 30, tzinfo=SAST)
    readings = steady_readings(start, start + timedelta(days=3), kw=10.0)
    bill = calculate_bill(
        tariff(eskom_style_tariff()), readings, date(2026, 5, 30), date(2026, 6, 2)
    )
    energy = {
        (line.season, line.period): line.quantity for line in bill.lines if line.kind == "energy"
    }
    assert energy[("low", "standard")] == pytest.approx(70.0)
    assert energy[("low", "off-peak")] == pytest.approx(410.0)
    assert energy[("high", "peak")] == pytest.approx(50.0)
    assert energy[("high", "standard")] == pytest.approx(110.0)
    assert energy[("high", "off-peak")] == pytest.approx(80.0)
    assert energy.get(("low", "peak"), 0.0) == 0.0
    demand = lines_by(bill, "demand")
    assert set(demand) == {"Network demand 2026-05", "Network demand 2026-06"}


def test_a_span_across_1_april_bills_each_version_at_its_rates() -> None:
    """Version 2026 is 10 % dearer from 1 April; Tue 31 March and Wed 1 April, 10 kW steady."""
    document = eskom_style_tariff()
    document["versions"] = [
        eskom_style_version("2025-04-01", "2026-04-01"),
        eskom_style_version("2026-04-01", None, scale=1.1),
    ]
    start = datetime(2026, 3, 31, tzinfo=SAST)
    readings = steady_readings(start, start + timedelta(days=2), kw=10.0)
    bill = calculate_bill(tariff(document), readings, date(2026, 3, 31), date(2026, 4, 2))
    peak = [line for line in bill.lines if line.kind == "energy" and line.period == "peak"]
    assert [(str(line.version_from), round(line.quantity, 6), line.rate) for line in peak] == [
        ("2025-04-01", 50.0, 1.20),
        ("2026-04-01", 50.0, 1.32),
    ]
    fixed = [line for line in bill.lines if line.kind == "fixed"]
    assert [line.quantity for line in fixed] == [1, 1]


def test_no_version_for_the_span_is_an_error() -> None:
    readings = steady_readings(
        datetime(2020, 1, 1, tzinfo=UTC), datetime(2020, 1, 2, tzinfo=UTC), 1
    )
    with pytest.raises(BillError, match="no tariff version covers 2020-01-01"):
        calculate_bill(tariff(eskom_style_tariff()), readings, date(2020, 1, 1), date(2020, 1, 2))


def test_dst_days_bill_23_and_25_hours() -> None:
    flat = tariff(flat_tariff(1.0, timezone="Europe/Berlin"))
    zone = flat.timezone
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo(zone)
    for day, hours in ((date(2026, 3, 29), 23), (date(2026, 10, 25), 25), (date(2026, 7, 1), 24)):
        start = datetime(day.year, day.month, day.day, tzinfo=berlin).astimezone(UTC) - timedelta(
            hours=1
        )
        readings = steady_readings(start, start + timedelta(hours=27), kw=2.0)
        bill = calculate_bill(flat, readings, day, day + timedelta(days=1))
        assert bill.energy_kwh == pytest.approx(2.0 * hours), day


def test_windows_follow_the_wall_clock_on_dst_days() -> None:
    """Berlin, 25 Oct 2026 (25 hours): a 00:00-03:00 'night' window holds 4 real hours."""
    document = flat_tariff(1.0, timezone="Europe/Berlin")
    version = document["versions"][0]
    version["periods"] = [
        {"name": "night", "season": "all", "days": ["sun"], "start": "00:00", "end": "03:00"},
        {"name": "day", "season": "all", "days": ["sun"], "start": "03:00", "end": "24:00"},
        {
            "name": "day",
            "season": "all",
            "days": ["mon", "tue", "wed", "thu", "fri", "sat"],
            "start": "00:00",
            "end": "24:00",
        },
    ]
    version["energy_rates"] = [
        {"season": "all", "period": "night", "rate": 0.1},
        {"season": "all", "period": "day", "rate": 0.3},
    ]
    start = datetime(2026, 10, 24, 20, tzinfo=UTC)
    readings = steady_readings(start, start + timedelta(hours=30), kw=1.0)
    bill = calculate_bill(tariff(document), readings, date(2026, 10, 25), date(2026, 10, 26))
    energy = {line.period: line.quantity for line in bill.lines if line.kind == "energy"}
    assert energy["night"] == pytest.approx(4.0)
    assert energy["day"] == pytest.approx(21.0)


def test_a_meter_reset_is_not_negative_energy() -> None:
    times = np.array([0, 3600, 7200, 10800], dtype=np.int64) + int(
        datetime(2026, 6, 1, tzinfo=UTC).timestamp()
    )
    readings = Readings(times=times, energy_import_kwh=np.array([500.0, 510.0, 3.0, 8.0]))
    bill = calculate_bill(tariff(flat_tariff(2.0)), readings, date(2026, 6, 1), date(2026, 6, 2))
    assert bill.energy_kwh == pytest.approx(10.0 + 3.0 + 5.0)


def test_a_meter_with_sign_minus_one_is_subtracted() -> None:
    """A difference of meters (a virtual meter): 100 kW - 30 kW is billed as 70 kW."""
    start, end = datetime(2026, 6, 1, tzinfo=SAST), datetime(2026, 6, 2, tzinfo=SAST)
    incomer = steady_readings(start, end, 100.0)
    building_a = replace(steady_readings(start, end, 30.0), sign=-1.0)
    bill = calculate_bill(
        tariff(flat_tariff(2.0, "Africa/Johannesburg")),
        [incomer, building_a],
        date(2026, 6, 1),
        date(2026, 6, 2),
    )
    assert bill.energy_kwh == pytest.approx(70.0 * 24)


# ---------------------------------------------------------------- properties


@st.composite
def register_readings(draw: st.DrawFn) -> Readings:
    start = int(datetime(2026, 5, 1, tzinfo=UTC).timestamp())
    count = draw(st.integers(min_value=2, max_value=60))
    gaps = draw(st.lists(st.integers(60, 6 * 3600), min_size=count - 1, max_size=count - 1))
    steps = draw(
        st.lists(st.floats(0, 50, allow_nan=False), min_size=count - 1, max_size=count - 1)
    )
    times = np.cumsum([start, *gaps]).astype(np.int64)
    values = np.cumsum([draw(st.floats(0, 1e5)), *steps])
    return Readings(times=times, energy_import_kwh=values.astype(np.float64))


SPAN = (date(2026, 4, 30), date(2026, 5, 20))


@settings(max_examples=40, deadline=None)
@given(register_readings())
def test_energy_on_the_lines_equals_the_register_delta(readings: Readings) -> None:
    bill = calculate_bill(tariff(eskom_style_tariff()), readings, *SPAN)
    energy_lines = [line.quantity for line in bill.lines if line.kind == "energy"]
    delta = float(readings.energy_import_kwh[-1] - readings.energy_import_kwh[0])
    # each line's quantity is rounded to 6 decimals: half a millionth per line, at most
    rounding = 0.5e-6 * len(energy_lines) + 1e-9
    assert sum(energy_lines) == pytest.approx(delta, rel=1e-9, abs=rounding)


@settings(max_examples=40, deadline=None)
@given(register_readings(), st.integers(1, 19))
def test_two_halves_add_up_to_the_whole(readings: Readings, cut_day: int) -> None:
    document = eskom_style_tariff()
    document["versions"][0]["demand_charges"] = []  # per-month demand does not add up
    whole_tariff = tariff(document)
    cut = SPAN[0] + timedelta(days=cut_day)
    whole = calculate_bill(whole_tariff, readings, *SPAN)
    first = calculate_bill(whole_tariff, readings, SPAN[0], cut)
    second = calculate_bill(whole_tariff, readings, cut, SPAN[1])

    def quantities(*bills: Bill) -> dict[str, float]:
        result: dict[str, float] = {}
        for bill in bills:
            for line in bill.lines:
                result[line.description] = result.get(line.description, 0.0) + line.quantity
        return result

    parts, total = quantities(first, second), quantities(whole)
    assert set(parts) == set(total)
    for key, value in total.items():
        # two rounded halves against one rounded whole: half a millionth each, at most
        assert parts[key] == pytest.approx(value, rel=1e-9, abs=1.5e-6 + 1e-9), key
    # money: equal up to the per-line rounding of the extra lines
    assert abs(first.subtotal + second.subtotal - whole.subtotal) <= 0.01 * len(whole.lines)


@settings(max_examples=40, deadline=None)
@given(register_readings(), st.floats(0.01, 10, allow_nan=False))
def test_a_flat_tariff_is_energy_times_rate(readings: Readings, rate: float) -> None:
    bill = calculate_bill(tariff(flat_tariff(round(rate, 4))), readings, *SPAN)
    [line] = bill.lines
    assert line.amount == pytest.approx(round(bill.energy_kwh * round(rate, 4), 2), abs=0.011)


@settings(max_examples=40, deadline=None)
@given(register_readings(), st.sampled_from([0, 5, 14, 15, 20.5]))
def test_vat_is_on_the_subtotal(readings: Readings, vat: float) -> None:
    bill = calculate_bill(tariff(flat_tariff(1.2345, vat=vat)), readings, *SPAN)
    assert bill.subtotal == pytest.approx(sum(line.amount for line in bill.lines))
    assert bill.vat == pytest.approx(round(bill.subtotal * vat / 100 + 1e-9, 2), abs=0.005)
    assert bill.total == pytest.approx(bill.subtotal + bill.vat)
