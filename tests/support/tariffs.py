"""Tariff documents used by several tests, and a reading generator."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from power_portal.tariffs.calculator import Readings

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def eskom_style_version(
    effective_from: str, effective_to: str | None, scale: float = 1.0
) -> dict[str, Any]:
    """High season Jun-Aug, low the rest; weekday/Saturday/Sunday windows."""

    def p(name: str, season: str, days: list[str], start: str, end: str) -> dict[str, Any]:
        return {"name": name, "season": season, "days": days, "start": start, "end": end}

    periods = [
        # high season weekdays: peak 06-09 & 17-19, standard 09-17 & 19-22, off-peak 22-06
        p("peak", "high", WEEKDAYS, "06:00", "09:00"),
        p("peak", "high", WEEKDAYS, "17:00", "19:00"),
        p("standard", "high", WEEKDAYS, "09:00", "17:00"),
        p("standard", "high", WEEKDAYS, "19:00", "22:00"),
        p("off-peak", "high", WEEKDAYS, "22:00", "06:00"),
        # low season weekdays: peak 07-10 & 18-20, standard 06-07, 10-18, 20-22
        p("peak", "low", WEEKDAYS, "07:00", "10:00"),
        p("peak", "low", WEEKDAYS, "18:00", "20:00"),
        p("standard", "low", WEEKDAYS, "06:00", "07:00"),
        p("standard", "low", WEEKDAYS, "10:00", "18:00"),
        p("standard", "low", WEEKDAYS, "20:00", "22:00"),
        p("off-peak", "low", WEEKDAYS, "22:00", "06:00"),
    ]
    for season in ("high", "low"):
        periods += [
            p("standard", season, ["sat"], "07:00", "12:00"),
            p("standard", season, ["sat"], "18:00", "20:00"),
            p("off-peak", season, ["sat"], "12:00", "18:00"),
            p("off-peak", season, ["sat"], "20:00", "07:00"),
            p("off-peak", season, ["sun"], "00:00", "24:00"),
        ]
    rates = {
        ("high", "peak"): 3.00,
        ("high", "standard"): 1.00,
        ("high", "off-peak"): 0.50,
        ("low", "peak"): 1.20,
        ("low", "standard"): 0.80,
        ("low", "off-peak"): 0.40,
    }
    return {
        "effective_from": effective_from,
        "effective_to": effective_to,
        "vat_percent": 15,
        "seasons": [
            {"name": "high", "months": [6, 7, 8]},
            {"name": "low", "months": [1, 2, 3, 4, 5, 9, 10, 11, 12]},
        ],
        "periods": periods,
        "energy_rates": [
            {"season": s, "period": n, "rate": round(r * scale, 4)} for (s, n), r in rates.items()
        ],
        "fixed_charges": [{"name": "Service charge", "amount": 25.0, "per": "day"}],
        "demand_charges": [
            {
                "name": "Network demand",
                "rate": 45.0,
                "unit": "kVA",
                "periods": ["peak", "standard"],
                "season": None,
            }
        ],
    }


def eskom_style_tariff() -> dict[str, Any]:
    return {
        "name": "Eskom-style TOU",
        "currency": "ZAR",
        "timezone": "Africa/Johannesburg",
        "public_holidays": {"calendar": "ZA", "treat_as": "sun"},
        "versions": [eskom_style_version("2025-04-01", None)],
    }


def municipal_block_tariff() -> dict[str, Any]:
    return {
        "name": "Municipal residential",
        "currency": "ZAR",
        "timezone": "Africa/Johannesburg",
        "versions": [
            {
                "effective_from": "2025-07-01",
                "vat_percent": 15,
                "seasons": [{"name": "all", "months": list(range(1, 13))}],
                "periods": [
                    {
                        "name": "all day",
                        "season": "all",
                        "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                        "start": "00:00",
                        "end": "24:00",
                    }
                ],
                "energy_rates": [
                    {
                        "season": "all",
                        "period": "all day",
                        "rate": 1.50,
                        "blocks": [
                            {"up_to_kwh": 50, "rate": 1.50},
                            {"up_to_kwh": 350, "rate": 2.00},
                            {"up_to_kwh": None, "rate": 2.50},
                        ],
                    }
                ],
                "fixed_charges": [{"name": "Basic charge", "amount": 200.0, "per": "month"}],
            }
        ],
    }


def flat_tariff(rate: float, timezone: str = "UTC", vat: float = 15) -> dict[str, Any]:
    return {
        "name": "Flat",
        "currency": "EUR",
        "timezone": timezone,
        "versions": [
            {
                "effective_from": "2000-01-01",
                "vat_percent": vat,
                "seasons": [{"name": "all", "months": list(range(1, 13))}],
                "periods": [
                    {
                        "name": "any",
                        "season": "all",
                        "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                        "start": "00:00",
                        "end": "24:00",
                    }
                ],
                "energy_rates": [{"season": "all", "period": "any", "rate": rate}],
            }
        ],
    }


def steady_readings(
    start: datetime,
    end: datetime,
    kw: float,
    step: timedelta = timedelta(minutes=15),
    power_factor: float | None = None,
) -> Readings:
    """A constant load: registers rising by kw * hours each step."""
    count = int((end - start) / step) + 1
    times = np.array([int((start + i * step).timestamp()) for i in range(count)], dtype=np.int64)
    hours = (times - times[0]) / 3600.0
    kwh = 1000.0 + kw * hours
    kvah = None if power_factor is None else 2000.0 + kw / power_factor * hours
    return Readings(times=times, energy_import_kwh=kwh, apparent_energy_kvah=kvah)


SAST = ZoneInfo("Africa/Johannesburg")
