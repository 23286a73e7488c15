"""The push's measurement batches encoded as the admin stack's ingest body, in one msgspec pass.

The body is ``{"items": [...]}``, one item per stored row: ``device_id``, ``time`` (the
row's ``datetime.isoformat()``) and every field of ``FIELD_NAMES`` that is not NULL, in that
order — a NULL field is left out, never sent as ``null``. Floats are written by msgspec
as the shortest text that reads back as the same float (``1e16`` where stdlib ``json``
wrote ``1e+16``): a JSON reader decodes the very values the stdlib encoding gave.

Rows come as tuples ``(xid, device_id, time, *FIELD_NAMES)``
(``repository.measurement_rows_after``): each becomes a ``msgspec.Struct`` whose fields
default to ``None`` and which omits its defaults, so no per-row dict is ever built.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from power_portal.measurements.fields import FIELD_NAMES

# device_id, time, then the fields: the key order of the items the push always sent.
_Item = msgspec.defstruct(
    "PushedMeasurement",
    [
        ("device_id", int),
        ("time", str),
        *((name, float | None, None) for name in FIELD_NAMES),
    ],
    omit_defaults=True,  # a None (NULL) field is not written at all
)
_encode = msgspec.json.Encoder().encode


def measurements_body(rows: Sequence[Sequence[Any]]) -> bytes:
    """``{"items": [...]}`` for rows ``(xid, device_id, time, *FIELD_NAMES)``."""
    item = _Item
    return _encode({"items": [item(r[1], r[2].isoformat(), *r[3:]) for r in rows]})
