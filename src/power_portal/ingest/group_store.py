"""One group of small batches stored in one transaction, in one round trip to the database.

On a connection of the group committer's own, in pipeline mode (psycopg sends everything,
then waits once): ``BEGIN``; the devices' ingest locks in id order
(``measurements.ingest.LOCK_DEVICES_SQL``); one statement (``GROUP_SQL``); ``COMMIT``.

The statement:

1. share-locks the live tokens among the batches' (``live``): a revocation committed before
   it refuses those batches, one committed after it waits for this commit;
2. inserts the rows of the batches with a live token, the first of each (device, time) in
   arrival order (``DISTINCT ON``), ``ON CONFLICT (device_id, time) DO NOTHING``;
3. widens ``devices.registers_seen`` where a batch brings a register never seen;
4. writes each device's runs of new rows (a gap over 6 hours starts a run) to the rollup log
   with the device's registers, and ``NOTIFY portal_rollups`` (delivered at commit);
5. returns the live digests and the (device, time) of every row it stored, from which each
   batch gets its counts (``measurements.ingest.plan_group`` / ``count_results``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from power_portal.measurements.fields import FIELD_NAMES, REGISTER_FIELDS
from power_portal.measurements.ingest import (
    DEVICE_LOCK_NAMESPACE,
    LOCK_DEVICES_SQL,
    IngestResult,
    Key,
    count_results,
    plan_group,
)
from power_portal.measurements.parsing import Row
from power_portal.measurements.rollup_queue import NOTIFY_CHANNEL
from power_portal.measurements.rollups import registers_mask_of

_FIRST_REGISTER = 1 + FIELD_NAMES.index(REGISTER_FIELDS[0])  # column in a Row
_COLUMNS = ", ".join(FIELD_NAMES)
_ARRAYS = ", ".join(f"CAST(%({name})s AS float8[])" for name in FIELD_NAMES)

# Column names come from FIELD_NAMES, never from input.
GROUP_SQL = f"""
WITH live AS (
    SELECT token_sha256 FROM app.device_tokens
    WHERE token_sha256 = ANY(%(digests)s) AND revoked_at IS NULL
    ORDER BY id FOR SHARE
),
incoming AS (
    SELECT DISTINCT ON (r.device_id, r.time) r.*
    FROM unnest(CAST(%(devices)s AS bigint[]), CAST(%(row_digests)s AS text[]),
                CAST(%(times)s AS timestamptz[]), {_ARRAYS})
         WITH ORDINALITY AS r(device_id, digest, time, {_COLUMNS}, ord)
    WHERE r.digest IN (SELECT token_sha256 FROM live)
    ORDER BY r.device_id, r.time, r.ord
),
inserted AS (
    INSERT INTO monitoring.power_measurements (device_id, time, {_COLUMNS})
    SELECT device_id, time, {_COLUMNS} FROM incoming
    ON CONFLICT (device_id, time) DO NOTHING
    RETURNING device_id, time
),
masks AS (
    SELECT b.device_id, bit_or(b.mask) AS mask
    FROM unnest(CAST(%(batch_devices)s AS bigint[]), CAST(%(batch_digests)s AS text[]),
                CAST(%(batch_masks)s AS int[])) AS b(device_id, digest, mask)
    WHERE b.digest IN (SELECT token_sha256 FROM live)
    GROUP BY b.device_id
),
added AS (
    UPDATE app.devices d SET registers_seen = d.registers_seen | CAST(m.mask AS smallint)
    FROM masks m
    WHERE d.id = m.device_id
      AND d.registers_seen | CAST(m.mask AS smallint) <> d.registers_seen
    RETURNING d.id, d.registers_seen
),
registers AS (
    SELECT m.device_id, coalesce(a.registers_seen, d.registers_seen, m.mask) AS mask
    FROM masks m
    LEFT JOIN app.devices d ON d.id = m.device_id
    LEFT JOIN added a ON a.id = m.device_id
),
marked AS (
    SELECT device_id, time,
           CASE WHEN time - lag(time) OVER (PARTITION BY device_id ORDER BY time)
                     > interval '6 hours' THEN 1 ELSE 0 END AS starts_run
    FROM inserted
),
runs AS (
    SELECT device_id, time,
           sum(starts_run) OVER (PARTITION BY device_id ORDER BY time) AS run
    FROM marked
),
queued AS (
    INSERT INTO monitoring.rollup_pending (device_id, lo, hi, registers_mask)
    SELECT r.device_id, min(r.time), max(r.time), min(g.mask)
    FROM runs r JOIN registers g ON g.device_id = r.device_id
    GROUP BY r.device_id, r.run
    RETURNING 1
),
notified AS (
    SELECT pg_notify(%(channel)s, '') AS sent FROM (SELECT 1 FROM queued LIMIT 1) AS any_queued
)
SELECT 0 AS kind, token_sha256 AS digest, NULL::bigint AS device_id, NULL::timestamptz AS time
FROM live
UNION ALL SELECT 1, NULL, device_id, time FROM inserted
UNION ALL SELECT 2, NULL, NULL, NULL FROM notified
"""  # noqa: S608


@dataclass(frozen=True)
class GroupBatch:
    device_id: int
    digest: str
    rows: list[Row]


@dataclass(frozen=True)
class GroupOutcome:
    """Each batch's counts, None where its token was not live (refused)."""

    results: list[IngestResult | None]


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def group_params(batches: Sequence[GroupBatch]) -> dict[str, Any]:
    """The statement's parameters: one array per column of every row, and per batch."""
    devices: list[int] = []
    digests: list[str] = []
    times: list[Any] = []
    columns: list[list[float | None]] = [[] for _ in FIELD_NAMES]
    for batch in batches:
        for row in batch.rows:
            devices.append(batch.device_id)
            digests.append(batch.digest)
            times.append(row[0])
            for column, value in zip(columns, row[1:], strict=True):
                column.append(_number(value))
    return {
        "digests": sorted({b.digest for b in batches}),
        "devices": devices,
        "row_digests": digests,
        "times": times,
        **dict(zip(FIELD_NAMES, columns, strict=True)),
        "batch_devices": [b.device_id for b in batches],
        "batch_digests": [b.digest for b in batches],
        "batch_masks": [registers_mask_of(b.rows, _FIRST_REGISTER) for b in batches],
        "channel": NOTIFY_CHANNEL,
    }


def outcome(batches: Sequence[GroupBatch], live: set[str], inserted: list[Key]) -> GroupOutcome:
    """Map the statement's answer back to the batches, in order."""
    kept = [b for b in batches if b.digest in live]
    counts = iter(count_results(plan_group([(b.device_id, b.rows) for b in kept]), inserted))
    return GroupOutcome([next(counts) if b.digest in live else None for b in batches])


async def store_group(
    conn: psycopg.AsyncConnection[Any], batches: Sequence[GroupBatch]
) -> GroupOutcome:
    """Store the batches in one transaction on ``conn`` (one round trip); commits."""
    params = group_params(batches)
    locks, cur = conn.cursor(), conn.cursor()
    try:
        async with conn.pipeline(), conn.transaction():
            await locks.execute(
                LOCK_DEVICES_SQL,
                {"ns": DEVICE_LOCK_NAMESPACE, "ids": sorted({b.device_id for b in batches})},
            )
            await cur.execute(GROUP_SQL, params)
        answer = await cur.fetchall()
    finally:
        await locks.close()
        await cur.close()
    live = {str(r[1]) for r in answer if r[0] == 0}
    inserted = [(int(r[2]), r[3]) for r in answer if r[0] == 1]
    return outcome(batches, live, inserted)
