"""The readings a bill needs: meters' cumulative registers over a span, in one query."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.tariffs.calculator import Readings

# Per device, its readings in [lo, hi] plus one either side (so that the calculator can split
# pro rata): each device's own bounds come from its primary key (device_id, time).
_REGISTER_READINGS = text("""
    SELECT m.device_id, extract(epoch FROM m.time)::bigint, m.energy_import_kwh,
           m.apparent_energy_kvah, m.reactive_energy_import_kvarh
    FROM unnest(CAST(:ids AS bigint[])) AS d(id)
    CROSS JOIN LATERAL (
        SELECT coalesce((SELECT max(time) FROM monitoring.power_measurements
                         WHERE device_id = d.id AND time < :lo), :lo) AS lo,
               coalesce((SELECT min(time) FROM monitoring.power_measurements
                         WHERE device_id = d.id AND time > :hi), :hi) AS hi
    ) AS bounds
    JOIN monitoring.power_measurements m
      ON m.device_id = d.id AND m.time >= bounds.lo AND m.time <= bounds.hi
    ORDER BY m.device_id, m.time
""")


def _readings(rows: Sequence[Sequence[object]]) -> Readings:
    array = np.array(
        [tuple(np.nan if v is None else v for v in row) for row in rows], dtype=np.float64
    )
    return Readings(
        times=array[:, 0].astype(np.int64),
        energy_import_kwh=array[:, 1],
        apparent_energy_kvah=array[:, 2],
        reactive_energy_import_kvarh=array[:, 3],
    )


async def meter_readings(
    db: AsyncSession, device_ids: Sequence[int], lo: datetime, hi: datetime
) -> dict[int, Readings]:
    """Each device's register readings for ``[lo, hi]``, plus one either side (for pro
    rata), by device id; a device with fewer than two readings there is left out."""
    if not device_ids:
        return {}
    rows = await db.execute(_REGISTER_READINGS, {"ids": list(device_ids), "lo": lo, "hi": hi})
    by_device: dict[int, list[Sequence[object]]] = {}
    for device_id, *registers in rows:
        by_device.setdefault(int(device_id), []).append(registers)
    return {
        device_id: _readings(device_rows)
        for device_id, device_rows in by_device.items()
        if len(device_rows) >= 2
    }


async def site_readings(
    db: AsyncSession, device_ids: Sequence[int], lo: datetime, hi: datetime
) -> list[Readings]:
    """The readings of the meters a site is billed on (``meter_readings``), in id order."""
    readings = await meter_readings(db, device_ids, lo, hi)
    return [readings[device_id] for device_id in sorted(readings)]
