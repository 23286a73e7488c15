"""The readings a bill needs: each of a site's meters' cumulative registers over a span."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.sites.models import Device
from power_portal.tariffs.calculator import Readings

# One reading either side of the span as well, so that the calculator can split pro rata.
_REGISTER_READINGS = text("""
    SELECT extract(epoch FROM time)::bigint, energy_import_kwh,
           apparent_energy_kvah, reactive_energy_import_kvarh
    FROM monitoring.power_measurements
    WHERE device_id = :d
      AND time >= coalesce((SELECT max(time) FROM monitoring.power_measurements
                            WHERE device_id = :d AND time < :lo), :lo)
      AND time <= coalesce((SELECT min(time) FROM monitoring.power_measurements
                            WHERE device_id = :d AND time > :hi), :hi)
    ORDER BY time
""")


async def site_readings(
    db: AsyncSession, site_id: int, lo: datetime, hi: datetime
) -> list[Readings]:
    """Each device's register readings for ``[lo, hi]``, plus one either side (for pro rata);
    a device with fewer than two readings there is left out."""
    device_ids = list(
        (await db.execute(select(Device.id).where(Device.site_id == site_id))).scalars()
    )
    meters: list[Readings] = []
    for device_id in device_ids:
        rows = (await db.execute(_REGISTER_READINGS, {"d": device_id, "lo": lo, "hi": hi})).all()
        if len(rows) < 2:
            continue
        array = np.array(
            [tuple(np.nan if v is None else v for v in row) for row in rows], dtype=np.float64
        )
        meters.append(
            Readings(
                times=array[:, 0].astype(np.int64),
                energy_import_kwh=array[:, 1],
                apparent_energy_kvah=array[:, 2],
                reactive_energy_import_kvarh=array[:, 3],
            )
        )
    return meters
