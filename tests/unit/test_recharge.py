"""The recharge maths: worked examples computed by hand, tables, and properties (hypothesis).

How the rounding residue of an apportioned line is assigned: every share gets the floor of
its exact quota in cents, the residue cents go one each to the largest fractional parts,
ties to the landlord first, then by tenant id (docs/api/tenants.md "Rounding of shares").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from power_portal.tariffs.calculator import Readings, calculate_bill
from power_portal.tariffs.schemas import Bill, BillLine, TariffIn
from power_portal.tenants.recharge import (
    LANDLORD,
    Apportion,
    LineShares,
    PeakBlock,
    RechargeRule,
    ShareKey,
    SiteShares,
    TenantBillLine,
    TenantRecovery,
    TenantUsage,
    apportion_cents,
    bill_lines,
    clip_readings,
    coincident_weights,
    demand_peak_blocks,
    energy_between,
    energy_lines,
    markup,
    reconcile,
    register_at,
    share_site_charges,
    tenant_bill,
    tenant_dates,
    used_kwh,
    with_landlord,
)
from tests.support.tariffs import SAST, eskom_style_tariff, flat_tariff, steady_readings

JUNE = datetime(2026, 6, 1, tzinfo=UTC)
JULY = datetime(2026, 7, 1, tzinfo=UTC)
QUARTER = timedelta(minutes=15)
PASS_BY_ENERGY = RechargeRule(kind="pass_through", apportion="energy")
PASS_BY_PEAK = RechargeRule(kind="pass_through", apportion="coincident_demand")


def tariff(document: dict[str, Any]) -> TariffIn:
    return TariffIn.model_validate(document)


def with_charges(
    document: dict[str, Any],
    fixed: list[dict[str, Any]] | None = None,
    demand: list[dict[str, Any]] | None = None,
) -> TariffIn:
    version = document["versions"][0]
    version["fixed_charges"] = fixed or []
    version["demand_charges"] = demand or []
    return tariff(document)


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def profile(
    start: datetime,
    end: datetime,
    base_kw: float,
    spikes: Sequence[tuple[datetime, float]] = (),
) -> Readings:
    """A load of ``base_kw`` read every 15 minutes, ``kw`` instead in each 15-minute step
    starting at a spike's instant."""
    count = int((end - start) / QUARTER)
    times = np.array([epoch(start + i * QUARTER) for i in range(count + 1)], dtype=np.int64)
    power = np.full(count, base_kw)
    for moment, kw in spikes:
        power[int((moment - start) / QUARTER)] = kw
    kwh = 500.0 + np.concatenate(([0.0], np.cumsum(power * 0.25)))
    return Readings(times=times, energy_import_kwh=kwh)


def added(*meters: Readings) -> Readings:
    """The sum of meters read at the same instants (a supply point above them)."""
    return Readings(
        times=meters[0].times,
        energy_import_kwh=np.sum([m.energy_import_kwh for m in meters], axis=0),
    )


def energy(readings: Readings | None) -> float:
    return 0.0 if readings is None else used_kwh([readings])


def line(kind: str, description: str, amount: float, quantity: float = 1.0) -> BillLine:
    return BillLine(
        kind=kind,
        description=description,
        quantity=quantity,
        unit="x",
        rate=amount / quantity,
        amount=amount,
        version_from=date(2000, 1, 1),
    )


def site_bill_of(lines: list[BillLine], energy_kwh: float) -> Bill:
    subtotal = float(sum(Decimal(repr(item.amount)) for item in lines))
    return Bill(
        currency="EUR",
        timezone="UTC",
        start=date(2026, 6, 1),
        end=date(2026, 7, 1),
        lines=lines,
        subtotal=subtotal,
        vat=0.0,
        total=subtotal,
        energy_kwh=energy_kwh,
    )


# ---------------------------------------------------------------- worked examples


def test_a_tenant_moving_out_on_the_15th() -> None:
    """June 2026 (30 days, UTC), a flat 2.00/kWh and a service charge of 10.00 a day.

    The supply point draws a steady 40 kW: 28,800 kWh; service charge 30 x 10 = 300.00.
    Meter M (10 kW, 240 kWh a day) is the Grocer's (tenant 1) until 15 June 12:00, then the
    Baker's (tenant 2); both pass-through with fixed charges shared by energy.
      Grocer: 14.5 days x 240 = 3,480 kWh x 2.00 = 6,960.00 energy
              service 300.00 x 3,480 / 28,800 = 36.25
      Baker:  15.5 days x 240 = 3,720 kWh x 2.00 = 7,440.00 energy
              service 300.00 x 3,720 / 28,800 = 38.75
      landlord (common areas, remainder): 300.00 - 36.25 - 38.75 = 225.00
    The two halves of M add up to its month: 3,480 + 3,720 = 7,200 kWh.
    Opening / closing registers: M reads 500 + 3,480 = 3,980 kWh at the move.
    """
    site_tariff = with_charges(
        flat_tariff(2.0), fixed=[{"name": "Service charge", "amount": 10.0, "per": "day"}]
    )
    supply = profile(JUNE, JULY, 40.0)
    meter = profile(JUNE, JULY, 10.0)
    move = datetime(2026, 6, 15, 12, tzinfo=UTC)
    grocer = clip_readings(meter, epoch(JUNE), epoch(move))
    baker = clip_readings(meter, epoch(move), epoch(JULY))
    assert grocer is not None
    assert baker is not None
    assert register_at(meter, epoch(JUNE)) == pytest.approx(500.0)
    assert register_at(meter, epoch(move)) == pytest.approx(3980.0)
    assert register_at(meter, epoch(JULY)) == pytest.approx(7700.0)

    site = calculate_bill(site_tariff, supply, date(2026, 6, 1), date(2026, 7, 1))
    shares = share_site_charges(
        site,
        [],
        [TenantUsage(1, PASS_BY_ENERGY, [grocer]), TenantUsage(2, PASS_BY_ENERGY, [baker])],
    )
    bills = {}
    for tenant_id, readings in ((1, grocer), (2, baker)):
        own = calculate_bill(site_tariff, readings, date(2026, 6, 1), date(2026, 7, 1))
        bills[tenant_id] = tenant_bill(
            site_tariff,
            PASS_BY_ENERGY,
            energy_lines(own) + shares.lines[tenant_id],
            own.energy_kwh,
            date(2026, 6, 1),
        )
    assert bills[1].energy_kwh == pytest.approx(3480.0)
    assert bills[2].energy_kwh == pytest.approx(3720.0)
    assert [(item.kind, item.amount) for item in bills[1].lines] == [
        ("energy", 6960.00),
        ("fixed", 36.25),
    ]
    assert [(item.kind, item.amount) for item in bills[2].lines] == [
        ("energy", 7440.00),
        ("fixed", 38.75),
    ]
    assert bills[1].lines[1].description == "Service charge (share by energy: 12.1 %)"
    [service] = shares.shares
    assert service.amounts == {
        LANDLORD: Decimal("225.00"),
        1: Decimal("36.25"),
        2: Decimal("38.75"),
    }
    assert (bills[1].subtotal, bills[1].vat, bills[1].total) == (6996.25, 1049.44, 8045.69)


def test_an_own_tariff_tenant_moving_out_on_the_15th_pays_15_days_of_fixed_charges() -> None:
    """Its own tariff: 1.50/kWh and 20.00 a day, Johannesburg time. It leaves on
    15 June 12:00 SAST: billed 1-15 June, 15 days x 20.00 = 300.00; 10 kW over 14.5 days =
    3,480 kWh x 1.50 = 5,220.00; subtotal 5,520.00, VAT 15 % 828.00, total 6,348.00."""
    own_tariff = with_charges(
        flat_tariff(1.5, timezone="Africa/Johannesburg"),
        fixed=[{"name": "Daily charge", "amount": 20.0, "per": "day"}],
    )
    start, move = datetime(2026, 6, 1, tzinfo=SAST), datetime(2026, 6, 15, 12, tzinfo=SAST)
    clipped = clip_readings(
        steady_readings(start, start + timedelta(days=30), kw=10.0), epoch(start), epoch(move)
    )
    assert clipped is not None
    first, following = tenant_dates(
        epoch(start), epoch(move), own_tariff.timezone, date(2026, 6, 1), date(2026, 7, 1)
    )
    assert (first, following) == (date(2026, 6, 1), date(2026, 6, 16))
    own = calculate_bill(own_tariff, clipped, first, following)
    bill = tenant_bill(
        own_tariff, RechargeRule(kind="own_tariff"), bill_lines(own), own.energy_kwh, first
    )
    assert [(item.kind, item.quantity, item.amount) for item in bill.lines] == [
        ("energy", pytest.approx(3480.0), 5220.00),
        ("fixed", 15, 300.00),
    ]
    assert (bill.subtotal, bill.vat, bill.total) == (5520.00, 828.00, 6348.00)


def test_demand_apportioned_by_coincident_peak() -> None:
    """June 2026, a flat tariff with a demand charge of 45.00 per kW of the month's
    highest 30-minute demand.

    Loads: the Grocer (tenant 1) 50 kW, the Baker (tenant 2) 30 kW, common areas 20 kW:
    the site draws 100 kW. On 10 June 10:00-10:30 the common areas' chillers run at 120 kW:
    the site peaks at 200 kW (50 + 30 + 120). On 20 June 14:00-14:30 the Grocer alone
    peaks at 140 kW (site 190 kW: not the site's peak).
      site demand line: 200 kW x 45.00 = 9,000.00
      Grocer 50 / 200 = 25 %  -> 2,250.00 (its own 140 kW peak does not count)
      Baker  30 / 200 = 15 %  -> 1,350.00
      landlord 60 %           -> 5,400.00;  2,250 + 1,350 + 5,400 = 9,000.00
    """
    site_tariff = with_charges(
        flat_tariff(1.0),
        demand=[{"name": "Network demand", "rate": 45.0, "unit": "kW", "periods": ["any"]}],
    )
    chillers = datetime(2026, 6, 10, 10, tzinfo=UTC)
    grocer_peak = datetime(2026, 6, 20, 14, tzinfo=UTC)
    grocer = profile(JUNE, JULY, 50.0, [(grocer_peak, 140.0), (grocer_peak + QUARTER, 140.0)])
    baker = profile(JUNE, JULY, 30.0)
    common = profile(JUNE, JULY, 20.0, [(chillers, 120.0), (chillers + QUARTER, 120.0)])
    supply = added(grocer, baker, common)
    site = calculate_bill(site_tariff, supply, date(2026, 6, 1), date(2026, 7, 1))
    [peak] = demand_peak_blocks(site_tariff, [supply], site, date(2026, 6, 1), date(2026, 7, 1))
    assert (peak.start, peak.end) == (epoch(chillers), epoch(chillers) + 1800)
    assert peak.site_energy == pytest.approx(100.0)  # 200 kW for half an hour
    assert site.lines[peak.line_index].amount == 9000.00
    assert coincident_weights(peak, {1: [grocer], 2: [baker]}) == {
        1: pytest.approx(0.25),
        2: pytest.approx(0.15),
    }
    shares = share_site_charges(
        site,
        [peak],
        [TenantUsage(1, PASS_BY_PEAK, [grocer]), TenantUsage(2, PASS_BY_PEAK, [baker])],
    )
    [demand] = shares.shares
    assert demand.amounts == {
        LANDLORD: Decimal("5400.00"),
        1: Decimal("2250.00"),
        2: Decimal("1350.00"),
    }
    [grocer_line] = shares.lines[1]
    assert grocer_line.description == "Network demand 2026-06 (share by coincident demand: 25.0 %)"
    assert grocer_line.quantity == pytest.approx(50.0)  # kW at the site's peak


def test_a_capped_markup() -> None:
    """Charges 9,000.00 + 3,000.00 = 12,000.00; 5 % mark-up = 600.00, capped at 500.00;
    admin fee 150.00; subtotal 12,650.00; VAT 15 % = 1,897.50; total 14,547.50."""
    rule = RechargeRule(
        kind="pass_through",
        apportion="energy",
        markup_percent=5.0,
        markup_cap=500.0,
        admin_fee=150.0,
    )
    charges = [
        TenantBillLine("energy", "Energy all any", 6000.0, "kWh", 1.5, 9000.00),
        TenantBillLine("demand", "Network demand", 66.67, "kVA", 45.0, 3000.00),
    ]
    bill = tenant_bill(tariff(flat_tariff(1.5)), rule, charges, 6000.0, date(2026, 6, 1))
    assert [(item.kind, item.description, item.amount) for item in bill.lines[2:]] == [
        ("markup", "Administration mark-up 5 % (capped at 500.00)", 500.00),
        ("admin_fee", "Administration fee", 150.00),
    ]
    assert (bill.subtotal, bill.vat, bill.total) == (12650.00, 1897.50, 14547.50)


def test_an_uncapped_markup_says_no_cap() -> None:
    """3 % of 12,000.00 = 360.00, under the 500.00 cap."""
    rule = RechargeRule(kind="pass_through", markup_percent=3.0, markup_cap=500.0)
    charges = [TenantBillLine("energy", "Energy", 8000.0, "kWh", 1.5, 12000.00)]
    bill = tenant_bill(tariff(flat_tariff(1.5)), rule, charges, 8000.0, date(2026, 6, 1))
    assert [(item.description, item.amount) for item in bill.lines[1:]] == [
        ("Administration mark-up 3 %", 360.00)
    ]
    assert (bill.subtotal, bill.vat, bill.total) == (12360.00, 1854.00, 14214.00)


def test_clipping_across_a_register_reset() -> None:
    """Readings 100 kWh at 00:00, 160 at 06:00, a reset to 20 at 12:00, 50 at 18:00
    (cumulative 0, 60, 80, 110). [03:00, 15:00) holds 30 -> 95: 65 kWh; before it 30,
    after it 15: 30 + 65 + 15 = 110."""
    hour = 3600
    meter = Readings(
        times=np.array([0, 6 * hour, 12 * hour, 18 * hour], dtype=np.int64),
        energy_import_kwh=np.array([100.0, 160.0, 20.0, 50.0]),
    )
    middle = clip_readings(meter, 3 * hour, 15 * hour)
    assert middle is not None
    assert middle.times.tolist() == [3 * hour, 6 * hour, 12 * hour, 15 * hour]
    assert middle.energy_import_kwh.tolist() == pytest.approx([30.0, 60.0, 80.0, 95.0])
    assert energy(middle) == pytest.approx(65.0)
    assert energy(clip_readings(meter, -hour, 3 * hour)) == pytest.approx(30.0)
    assert energy(clip_readings(meter, 15 * hour, 99 * hour)) == pytest.approx(15.0)
    assert clip_readings(meter, 18 * hour, 20 * hour) is None
    assert clip_readings(meter, -2 * hour, 0) is None


@pytest.mark.parametrize(
    ("at_hour", "expected"),
    [
        (0, 100.0),
        (3, 130.0),  # halfway from 100 to 160
        (6, 160.0),
        (9, 170.0),  # 160 + half of the 20 kWh counted across the reset
        (12, 20.0),
        (15, 35.0),
        (18, 50.0),
        (-1, None),  # before the data
        (19, None),  # after it
    ],
)
def test_register_at(at_hour: int, expected: float | None) -> None:
    hour = 3600
    meter = Readings(
        times=np.array([0, 6 * hour, 12 * hour, 18 * hour], dtype=np.int64),
        energy_import_kwh=np.array([100.0, 160.0, 20.0, 50.0]),
    )
    assert register_at(meter, at_hour * hour) == (
        None if expected is None else pytest.approx(expected)
    )


# ---------------------------------------------------------------- tables


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        # thirds: one residue cent, equal fractions -> the landlord first
        (
            "100.00",
            {LANDLORD: 1 / 3, 1: 1 / 3, 2: 1 / 3},
            {LANDLORD: "33.34", 1: "33.33", 2: "33.33"},
        ),
        # two residue cents, equal fractions: landlord, then the lower tenant id
        (
            "0.02",
            {2: 1 / 3, LANDLORD: 1 / 3, 1: 1 / 3},
            {2: "0.00", LANDLORD: "0.01", 1: "0.01"},
        ),
        # a larger fractional part beats the landlord: 33.3 and 66.7 cents
        ("1.00", {LANDLORD: 0.333, 1: 0.667}, {LANDLORD: "0.33", 1: "0.67"}),
        # a landlord with no share gets no residue
        ("0.01", {LANDLORD: 0.0, 1: 0.5, 2: 0.5}, {LANDLORD: "0.00", 1: "0.01", 2: "0.00"}),
        # exact split
        ("300.00", {LANDLORD: 0.75, 7: 0.25}, {LANDLORD: "225.00", 7: "75.00"}),
        # weights not summing to 1 are normalised
        ("10.00", {LANDLORD: 2.0, 1: 2.0}, {LANDLORD: "5.00", 1: "5.00"}),
        # nothing to share by: everything to the landlord
        ("12.34", {1: 0.0, LANDLORD: 0.0}, {1: "0.00", LANDLORD: "12.34"}),
        # a credit is split like its opposite
        ("-0.05", {LANDLORD: 0.5, 1: 0.5}, {LANDLORD: "-0.03", 1: "-0.02"}),
        # an amount with a fraction of a cent is rounded first (half up)
        ("0.005", {LANDLORD: 0.5, 1: 0.5}, {LANDLORD: "0.01", 1: "0.00"}),
    ],
)
def test_apportion_cents(
    total: str, weights: dict[ShareKey, float], expected: dict[ShareKey, str]
) -> None:
    parts = apportion_cents(Decimal(total), weights)
    assert parts == {key: Decimal(value) for key, value in expected.items()}
    assert list(parts) == list(weights)


@pytest.mark.parametrize(
    ("tenants", "expected"),
    [
        ({1: 0.25, 2: 0.15}, {LANDLORD: 0.6, 1: 0.25, 2: 0.15}),
        ({1: 0.6, 2: 0.9}, {LANDLORD: 0.0, 1: 0.4, 2: 0.6}),  # over-allocated: scaled to 1
        ({1: -0.1, 2: float("nan")}, {LANDLORD: 1.0, 1: 0.0, 2: 0.0}),  # exporting, unknown
        ({}, {LANDLORD: 1.0}),
    ],
)
def test_with_landlord(tenants: dict[int, float], expected: dict[ShareKey, float]) -> None:
    assert with_landlord(tenants) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("subtotal", "percent", "cap", "expected"),
    [
        ("12345.67", 5.0, None, "617.28"),  # 617.2835
        ("12345.67", 5.0, 500.0, "500.00"),
        ("12345.67", 5.0, 617.29, "617.28"),  # under the cap
        ("0.10", 5.0, None, "0.01"),  # 0.005 rounds half up
        ("1000.00", 0.0, 100.0, "0.00"),
        ("-50.00", 5.0, None, "0.00"),  # no mark-up on a credit
    ],
)
def test_markup(subtotal: str, percent: float, cap: float | None, expected: str) -> None:
    assert markup(Decimal(subtotal), percent, cap) == Decimal(expected)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # the whole month
        (datetime(2026, 6, 1, tzinfo=SAST), datetime(2026, 7, 1, tzinfo=SAST), (1, 31)),
        # moving out at noon on the 15th: the 15th is billed
        (datetime(2026, 6, 1, tzinfo=SAST), datetime(2026, 6, 15, 12, tzinfo=SAST), (1, 16)),
        # moving out at midnight starting the 16th: the same
        (datetime(2026, 6, 1, tzinfo=SAST), datetime(2026, 6, 16, tzinfo=SAST), (1, 16)),
        # moving in on the 10th, instants given before the month are cut to it
        (datetime(2026, 6, 10, 8, tzinfo=SAST), datetime(2026, 8, 1, tzinfo=SAST), (10, 31)),
        (datetime(2026, 5, 1, tzinfo=SAST), datetime(2026, 6, 2, tzinfo=SAST), (1, 2)),
    ],
)
def test_tenant_dates(start: datetime, end: datetime, expected: tuple[int, int]) -> None:
    def day(number: int) -> date:
        return date(2026, 7, 1) if number == 31 else date(2026, 6, number)

    assert tenant_dates(
        epoch(start), epoch(end), "Africa/Johannesburg", date(2026, 6, 1), date(2026, 7, 1)
    ) == (day(expected[0]), day(expected[1]))


def test_the_peak_blocks_are_the_calculators() -> None:
    """Under a time-of-use tariff with a kVA demand charge in peak and standard periods, the
    block found has the bill's demand: its energy / half an hour = the line's quantity."""
    rng = np.random.default_rng(17)
    start = datetime(2026, 6, 1, tzinfo=SAST)
    count = 30 * 96
    times = np.array([epoch(start + i * QUARTER) for i in range(count + 1)], dtype=np.int64)
    kw = rng.uniform(20.0, 200.0, count)
    kva = kw / rng.uniform(0.7, 1.0, count)
    supply = Readings(
        times=times,
        energy_import_kwh=np.concatenate(([0.0], np.cumsum(kw / 4))),
        apparent_energy_kvah=np.concatenate(([0.0], np.cumsum(kva / 4))),
    )
    site_tariff = tariff(eskom_style_tariff())
    site = calculate_bill(site_tariff, supply, date(2026, 6, 1), date(2026, 7, 1))
    [peak] = demand_peak_blocks(site_tariff, [supply], site, date(2026, 6, 1), date(2026, 7, 1))
    assert peak.register == "apparent_energy_kvah"
    assert peak.site_energy * 2 == pytest.approx(site.lines[peak.line_index].quantity)
    assert peak.site_energy * 2 < kva.max()  # the overall maximum may be off-peak


# ---------------------------------------------------------------- properties


@st.composite
def meter_readings(draw: st.DrawFn, start: int = 0, resets: bool = True) -> Readings:
    """A register read at irregular instants, rising, sometimes restarting from a smaller
    value (a reset)."""
    count = draw(st.integers(2, 25))
    gaps = draw(st.lists(st.integers(1, 7200), min_size=count - 1, max_size=count - 1))
    steps = draw(
        st.lists(st.floats(0, 50, allow_nan=False), min_size=count - 1, max_size=count - 1)
    )
    values = [draw(st.floats(0, 1e5, allow_nan=False))]
    for step in steps:
        if resets and draw(st.integers(0, 9)) == 0:
            values.append(draw(st.floats(0, 10, allow_nan=False)))  # restarted
        else:
            values.append(values[-1] + step)
    times = start + np.concatenate(([0], np.cumsum(gaps))).astype(np.int64)
    return Readings(times=times, energy_import_kwh=np.array(values, dtype=np.float64))


@settings(max_examples=300, deadline=None)
@given(meter_readings(), st.data())
def test_a_meter_changing_tenant_splits_its_energy_at_that_instant(
    meter: Readings, data: st.DataObject
) -> None:
    """[a, t) + [t, b) = [a, b) for any instants, across resets: nothing lost, nothing
    twice; and clipping keeps the energy the calculator's rule gives the span."""
    lo, hi = int(meter.times[0]) - 3600, int(meter.times[-1]) + 3600
    a, t, b = sorted(data.draw(st.lists(st.integers(lo, hi), min_size=3, max_size=3)))
    before, after = clip_readings(meter, a, t), clip_readings(meter, t, b)
    whole = clip_readings(meter, a, b)
    assert energy(before) + energy(after) == pytest.approx(energy(whole), abs=1e-9)
    assert energy(whole) == pytest.approx(energy_between(meter, a, b), abs=1e-9)
    for part in (before, after, whole):
        if part is not None:  # registers restart in the original only
            assert (np.diff(part.energy_import_kwh) >= 0).all()


@settings(max_examples=25, deadline=None)
@given(meter_readings(start=epoch(JUNE), resets=True), st.data())
def test_the_calculator_bills_each_side_of_a_move(meter: Readings, data: st.DataObject) -> None:
    """The same through the bill calculator: the two tenants' energy lines add up to the
    meter's, at a move at any second (not only on a minute)."""
    t = data.draw(st.integers(int(meter.times[0]), int(meter.times[-1])))
    flat = tariff(flat_tariff(1.0))
    days = date(2026, 6, 1), date(2026, 6, 5)
    whole = calculate_bill(flat, meter, *days).energy_kwh
    sides = [clip_readings(meter, epoch(JUNE), t), clip_readings(meter, t, epoch(JULY))]
    billed = sum(calculate_bill(flat, side, *days).energy_kwh for side in sides if side)
    assert billed == pytest.approx(whole, abs=1e-5)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(-(10**9), 10**9),
    st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=30),
    st.floats(0, 1e6, allow_nan=False),
)
def test_apportioned_charges_add_up_to_the_cent(
    cents: int, tenant_weights: list[float], landlord: float
) -> None:
    """Any amount over any weights: the parts add up exactly, each is its exact quota
    rounded down or up, and a residue cent never goes to a smaller fraction before a
    larger one."""
    total = Decimal(cents).scaleb(-2)
    weights: dict[ShareKey, float] = {LANDLORD: landlord}
    weights.update(dict(enumerate(tenant_weights, 1)))
    parts = apportion_cents(total, weights)
    assert sum(parts.values()) == total
    weight_sum = sum(Fraction(w) for w in weights.values())
    if weight_sum == 0:
        assert parts[LANDLORD] == total
        return
    quotas = {key: abs(cents) * Fraction(w) / weight_sum for key, w in weights.items()}
    got = {key: abs(int(part.scaleb(2))) for key, part in parts.items()}
    for key, quota in quotas.items():
        assert got[key] - 1 < quota < got[key] + 1 or got[key] == quota
    rounded_up = [quota - int(quota) for key, quota in quotas.items() if got[key] > quota]
    rounded_down = [quota - int(quota) for key, quota in quotas.items() if got[key] < quota]
    if rounded_up and rounded_down:
        assert min(rounded_up) >= max(rounded_down)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["energy", "coincident_demand", "fixed_shares"]),
            st.floats(0, 100, allow_nan=False),
            st.floats(0, 50, allow_nan=False),
        ),
        min_size=1,
        max_size=8,
    ),
    st.lists(st.integers(0, 10**8), min_size=3, max_size=3),
)
def test_every_shared_line_adds_up_to_the_sites(
    tenants: list[tuple[Apportion, float, float]], amounts: list[int]
) -> None:
    """Demand, fixed and reactive lines shared between tenants of any rules and the
    landlord: tenants' parts + the landlord's = the site's line to the cent."""
    hours = 3600 * np.arange(0, 25, dtype=np.int64)
    usages = [
        TenantUsage(
            tenant_id,
            RechargeRule(kind="pass_through", apportion=apportion, fixed_share_percent=share),
            [Readings(times=hours, energy_import_kwh=kw * hours.astype(np.float64) / 3600)],
        )
        for tenant_id, (apportion, share, kw) in enumerate(tenants, 1)
    ]
    lines = [
        line("energy", "Energy", 1000.0),
        line("demand", "Network demand", amounts[0] / 100, 100.0),
        line("fixed", "Service", amounts[1] / 100),
        line("reactive", "Reactive energy", amounts[2] / 100),
    ]
    site = site_bill_of(lines, energy_kwh=24 * 200.0)
    peak = PeakBlock(1, 3600 * 10, 3600 * 10 + 1800, "energy_import_kwh", 100.0, 100.0)
    shares = share_site_charges(site, [peak], usages)
    assert [share.line_index for share in shares.shares] == [1, 2, 3]
    for share in shares.shares:
        assert sum(share.amounts.values()) == Decimal(repr(lines[share.line_index].amount))
        assert all(part >= 0 for part in share.amounts.values())
        for tenant in usages:
            [tenant_line] = [
                item
                for item in shares.lines[tenant.tenant_id]
                if item.description.startswith(lines[share.line_index].description)
            ]
            assert Decimal(repr(tenant_line.amount)) == share.amounts[tenant.tenant_id]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(meter_readings(start=epoch(JUNE), resets=True), min_size=1, max_size=6),
    meter_readings(start=epoch(JUNE), resets=False),
    st.data(),
)
def test_tenants_common_areas_and_the_remainder_add_up_to_the_site(
    meters: list[Readings], unmetered: Readings, data: st.DataObject
) -> None:
    """Sub-meters held by tenants over random spans (a meter may change tenant, or be
    nobody's: common areas, or vacant for a while) under a supply point that also feeds an
    unmetered load. Tenants + common areas + remainder = the site's energy, the remainder
    is the unmetered load's own energy (nothing lost or counted twice), and their costs add
    up to the utility bill's subtotal but for cent rounding of the lines."""
    month = epoch(JUNE), epoch(JUNE) + 5 * 86400
    days = date(2026, 6, 1), date(2026, 6, 6)
    site_tariff = with_charges(
        flat_tariff(1.7), fixed=[{"name": "Service", "amount": 13.33, "per": "day"}]
    )
    held: dict[int, list[Readings]] = {}
    common: list[Readings] = []
    for meter in meters:
        cuts = sorted(data.draw(st.lists(st.integers(*month), max_size=3)))
        edges = [month[0], *cuts, month[1]]
        for lo, hi in pairwise(edges):
            holder = data.draw(st.sampled_from([None, 1, 2, 3]))
            part = clip_readings(meter, lo, hi)
            if part is None:
                continue
            (common if holder is None else held.setdefault(holder, [])).append(part)
    site_meters = [*meters, unmetered]
    site = calculate_bill(site_tariff, site_meters, *days)
    assume(site.energy_kwh > 1.0)
    usages = [TenantUsage(t, PASS_BY_ENERGY, parts) for t, parts in sorted(held.items())]
    shares = share_site_charges(site, [], usages)
    recoveries = []
    for usage in usages:
        own = calculate_bill(site_tariff, usage.readings, *days)
        bill = tenant_bill(
            site_tariff,
            usage.rule,
            energy_lines(own) + shares.lines[usage.tenant_id],
            own.energy_kwh,
            days[0],
        )
        recoveries.append(
            TenantRecovery(usage.tenant_id, bill.energy_kwh, bill.subtotal, bill.total)
        )
    common_kwh = used_kwh(common)
    result = reconcile(site, shares, recoveries, common_kwh)
    tenants_kwh = sum(r.energy_kwh for r in recoveries)
    assert tenants_kwh + result.common_energy_kwh + result.unmetered_energy_kwh == (
        pytest.approx(site.energy_kwh, abs=1e-5)
    )
    assert result.unmetered_energy_kwh == pytest.approx(
        calculate_bill(site_tariff, unmetered, *days).energy_kwh, abs=1e-5
    )
    lines_rounded = len(usages) + 2  # each tenant's energy line, common areas, unmetered
    assert result.recovered_subtotal + result.landlord_cost == pytest.approx(
        site.subtotal, abs=0.005 * lines_rounded + 1e-9
    )
    assert result.difference == pytest.approx(site.subtotal - result.recovered_subtotal)


def test_reconciliation_of_the_spec_example() -> None:
    """docs/api/tenants.md: utility 90,000 kWh, subtotal 150,000.00 (135,000.00 energy at
    1.50 / kWh, 15,000.00 fixed); tenants 67,000 kWh recovering 115,500.00; common areas
    20,000 kWh; unmetered 3,000 kWh. The landlord kept 15,000 x 23 / 90 = 3,833.33 of the
    fixed charge (energy shares); common areas 30,000.00 + 20 / 23 of it = 33,333.33,
    unmetered 4,500.00 + 3 / 23 of it = 5,000.00; recovery 77 %."""
    site = site_bill_of(
        [line("energy", "Energy", 135_000.0, 90_000.0), line("fixed", "Fixed", 15_000.0)],
        energy_kwh=90_000.0,
    )
    landlord = Decimal("3833.33")
    shares = SiteShares(
        [
            LineShares(
                1, {LANDLORD: 23 / 90, 1: 67 / 90}, {LANDLORD: landlord, 1: Decimal("11166.67")}
            )
        ]
    )
    result = reconcile(site, shares, [TenantRecovery(1, 67_000.0, 115_500.0, 132_825.0)], 20_000.0)
    assert result.unmetered_energy_kwh == 3000.0
    assert (result.common_cost, result.unmetered_cost) == (33_333.33, 5_000.00)
    assert result.landlord_cost == 38_333.33
    assert result.recovered_subtotal == 115_500.0
    assert result.recovery_percent == 77.0
    assert result.difference == 34_500.0


@pytest.mark.parametrize(
    ("common_kwh", "generation_kwh", "unmetered_kwh"),
    [
        (20_000.0, 0.0, 3_000.0),  # no generation: the spec example
        (20_000.0, 10_000.0, 13_000.0),  # solar behind the incomer: used on site
        (30_000.0, 10_000.0, 3_000.0),  # loads beyond the supply, met by the roof: not < 0
    ],
)
def test_reconciliation_counts_on_site_generation(
    common_kwh: float, generation_kwh: float, unmetered_kwh: float
) -> None:
    """Utility 90,000 kWh, tenants 67,000: unmetered = supply + generation - tenants -
    common areas."""
    site = site_bill_of([line("energy", "Energy", 135_000.0, 90_000.0)], energy_kwh=90_000.0)
    result = reconcile(
        site,
        SiteShares([]),
        [TenantRecovery(1, 67_000.0, 100_500.0, 115_575.0)],
        common_kwh,
        generation_kwh,
    )
    assert result.generation_energy_kwh == generation_kwh
    assert result.unmetered_energy_kwh == unmetered_kwh
    assert result.unmetered_cost == unmetered_kwh * 1.5


def test_coincident_weights_on_the_apparent_register_and_without_it() -> None:
    """The site peaked at 250 kVA / 200 kW in a block (125 kVAh, 100 kWh). A tenant with an
    apparent register drew 25 kVAh there: 25 / 125 = 20 %; a tenant with only kWh drew
    25 kWh: weighed by kWh instead, 25 / 100 = 25 %; a block of no demand shares nothing."""
    block = PeakBlock(0, 1800, 3600, "apparent_energy_kvah", 125.0, 100.0)
    times = np.array([0, 1800, 3600, 5400], dtype=np.int64)
    with_kva = Readings(
        times=times,
        energy_import_kwh=np.array([0.0, 10.0, 30.0, 40.0]),
        apparent_energy_kvah=np.array([0.0, 10.0, 35.0, 45.0]),
    )
    kwh_only = Readings(times=times, energy_import_kwh=np.array([0.0, 10.0, 35.0, 45.0]))
    assert coincident_weights(block, {1: [with_kva], 2: [kwh_only]}) == {
        1: pytest.approx(0.2),
        2: pytest.approx(0.25),
    }
    empty = PeakBlock(0, 0, 0, "energy_import_kwh", 0.0, 0.0)
    assert coincident_weights(empty, {1: [with_kva]}) == {1: 0.0}


def test_tenants_of_different_rules_share_a_line() -> None:
    """A site of 1,000 kWh with a demand line of 1,000.00 and a fixed line of 99.99.

    Tenant 1, by energy, used 300 kWh: 30 %. Tenant 2, fixed share 20 %. Tenant 3, by
    coincident demand, drew 50 of the 250 kWh of the site's peak half hour: 20 %; its fixed
    share goes by energy (100 kWh: 10 %). Tenant 4 has its own tariff: it shares nothing
    (its part is the landlord's).
      demand 1,000.00: 300.00 / 200.00 / 200.00, landlord 30 % = 300.00
      fixed  99.99: quotas 29.997 / 19.998 / 9.999, landlord 39.996 cents-wise
             floors 29.99 / 19.99 / 9.99 / 39.99 = 99.96; 3 residue cents to the largest
             fractions (.9 of tenant 3, .8 of tenant 2, .7 of tenant 1; landlord's .6
             loses): 30.00 / 20.00 / 10.00 / 39.99.
    """
    hours = np.array([0, 3600], dtype=np.int64)

    def used(kwh: float) -> list[Readings]:
        return [Readings(times=hours, energy_import_kwh=np.array([0.0, kwh]))]

    site = site_bill_of(
        [
            line("energy", "Energy", 1000.0, 1000.0),
            line("demand", "Demand", 1000.0, 100.0),
            line("fixed", "Service", 99.99),
        ],
        energy_kwh=1000.0,
    )
    peak = PeakBlock(1, 0, 1800, "energy_import_kwh", 250.0, 250.0)
    tenants = [
        TenantUsage(1, PASS_BY_ENERGY, used(300.0)),
        TenantUsage(
            2,
            RechargeRule(kind="pass_through", apportion="fixed_shares", fixed_share_percent=20),
            used(500.0),
        ),
        TenantUsage(3, PASS_BY_PEAK, used(100.0)),
        TenantUsage(4, RechargeRule(kind="own_tariff"), used(50.0)),
    ]
    shares = share_site_charges(site, [peak], tenants)
    assert [
        {key: str(amount) for key, amount in share.amounts.items()} for share in shares.shares
    ] == [
        {LANDLORD: "300.00", 1: "300.00", 2: "200.00", 3: "200.00"},
        {LANDLORD: "39.99", 1: "30.00", 2: "20.00", 3: "10.00"},
    ]
    assert sorted(shares.lines) == [1, 2, 3]
    assert [item.description for item in shares.lines[3]] == [
        "Demand (share by coincident demand: 20.0 %)",
        "Service (share by energy: 10.0 %)",
    ]
    assert shares.lines[2][0].description == "Demand (share by fixed share: 20.0 %)"
    # without the demand line's peak block, coincident demand falls back to energy
    [demand, _] = share_site_charges(site, [], tenants).shares
    assert demand.amounts[3] == Decimal("100.00")


@settings(max_examples=200, deadline=None)
@given(meter_readings(resets=False), st.data())
def test_closing_minus_opening_is_the_energy_without_a_reset(
    meter: Readings, data: st.DataObject
) -> None:
    """The registers printed on a bill: closing - opening = the energy between them, and
    the closing reading of one tenant is the opening reading of the next."""
    lo, hi = int(meter.times[0]), int(meter.times[-1])
    a, b = sorted(data.draw(st.lists(st.integers(lo, hi), min_size=2, max_size=2)))
    opening, closing = register_at(meter, a), register_at(meter, b)
    assert opening is not None
    assert closing is not None
    assert closing - opening == pytest.approx(energy_between(meter, a, b), abs=1e-6)
