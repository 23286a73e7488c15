"""The readings a bill needs: meters' cumulative registers over a span, in one query."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.tariffs.calculator import FloatArray, Readings

# Per device, its readings in [lo, hi] plus one either side (so that the calculator can split
# pro rata): each device's own bounds come from its primary key (device_id, time). One row a
# device: its times and registers packed in time order (big-endian 8-byte integers and floats,
# NaN for a missing value), read straight into numpy arrays; a year of 15-minute readings
# arrives several times faster than as 35,000 rows.
_REGISTER_ARRAYS = text("""
    SELECT m.device_id,
           string_agg(int8send(extract(epoch FROM m.time)::bigint), ''::bytea ORDER BY m.time),
           string_agg(float8send(coalesce(m.energy_import_kwh, 'NaN')), ''::bytea
                      ORDER BY m.time),
           string_agg(float8send(coalesce(m.apparent_energy_kvah, 'NaN')), ''::bytea
                      ORDER BY m.time),
           string_agg(float8send(coalesce(m.reactive_energy_import_kvarh, 'NaN')), ''::bytea
                      ORDER BY m.time)
    FROM unnest(CAST(:ids AS bigint[])) AS d(id)
    CROSS JOIN LATERAL (
        SELECT coalesce((SELECT max(time) FROM monitoring.power_measurements
                         WHERE device_id = d.id AND time < :lo), :lo) AS lo,
               coalesce((SELECT min(time) FROM monitoring.power_measurements
                         WHERE device_id = d.id AND time > :hi), :hi) AS hi
    ) AS bounds
    JOIN monitoring.power_measurements m
      ON m.device_id = d.id AND m.time >= bounds.lo AND m.time <= bounds.hi
    GROUP BY m.device_id
""")


def _floats(packed: bytes) -> FloatArray:
    return np.frombuffer(packed, dtype=">f8").astype(np.float64)


async def meter_readings(
    db: AsyncSession, device_ids: Sequence[int], lo: datetime, hi: datetime
) -> dict[int, Readings]:
    """Each device's register readings for ``[lo, hi]``, plus one either side (for pro
    rata), by device id; a device with fewer than two readings there is left out."""
    if not device_ids:
        return {}
    rows = await db.execute(_REGISTER_ARRAYS, {"ids": list(device_ids), "lo": lo, "hi": hi})
    readings: dict[int, Readings] = {}
    for device_id, times, kwh, kvah, kvarh in rows:
        epochs = np.frombuffer(times, dtype=">i8").astype(np.int64)
        if epochs.size < 2:
            continue
        readings[int(device_id)] = Readings(
            times=epochs,
            energy_import_kwh=_floats(kwh),
            apparent_energy_kvah=_floats(kvah),
            reactive_energy_import_kvarh=_floats(kvarh),
        )
    return readings


async def site_readings(
    db: AsyncSession, device_ids: Sequence[int], lo: datetime, hi: datetime
) -> list[Readings]:
    """The readings of the meters a site is billed on (``meter_readings``), in id order."""
    readings = await meter_readings(db, device_ids, lo, hi)
    return [readings[device_id] for device_id in sorted(readings)]
