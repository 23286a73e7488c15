"""The fleet rollup log's pure parts: one batch's entries as bound values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from power_portal.fleet.rollup_log import NOTIFY_CHANNEL, enqueue_params
from power_portal.measurements.rollup_queue import NOTIFY_CHANNEL as OWN_CHANNEL

T0 = datetime(2026, 9, 1, 8, tzinfo=UTC)


def test_one_entry_per_run_in_parallel_arrays() -> None:
    runs = [
        (1, T0, T0 + timedelta(hours=1), 0b01),
        (1, T0 + timedelta(hours=9), T0 + timedelta(hours=10), 0b01),
        (7, T0, T0 + timedelta(minutes=5), 0b11),
    ]
    assert enqueue_params(42, runs) == {
        "customer_id": 42,
        "device_ids": [1, 1, 7],
        "los": [T0, T0 + timedelta(hours=9), T0],
        "his": [T0 + timedelta(hours=1), T0 + timedelta(hours=10), T0 + timedelta(minutes=5)],
        "masks": [0b01, 0b01, 0b11],
        "channel": NOTIFY_CHANNEL,
    }


def test_the_fleet_log_has_a_channel_of_its_own() -> None:
    """This portal's rollup worker never wakes for a fleet batch, nor the other way round."""
    assert NOTIFY_CHANNEL != OWN_CHANNEL
