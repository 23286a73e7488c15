"""A pushed measurements batch decoded at COPY speed, item by item as the rules say.

Pure functions, no database. The rules of an item are ``ingest.measurement_row``'s (the
thorough path, and the source of truth); this module only gets to the same answer faster:

1. msgspec decodes and type-checks the whole body in one pass into typed items (strict:
   no strings or booleans for numbers, unknown fields refused, ``device_id`` within the
   id range, values within ±``MAX_MAGNITUDE``; the JSON grammar has no NaN/Infinity and
   an out-of-range number such as 1e999 is refused rather than read as infinity). What
   is left to check in Python is the same for every item and cheap: the time (parsed by
   ``datetime.fromisoformat``, as the thorough path does), its window and that the item
   has a value.
2. When one item breaks the types, the body is decoded again with each item kept as raw
   JSON: the items that decode take step 1's way, and each of the others goes to the
   thorough path alone (it is rejected, or accepted when the thorough path is more
   lenient, e.g. a ``received_at`` that is not a string).
3. Anything msgspec refuses as a whole (malformed or nested too deeply, a key besides
   ``items``, NaN written as a literal, another encoding than UTF-8…) goes the thorough
   path whole: ``parse_items`` decides the 400 and every item is judged by
   ``measurement_row``.

So the fast path accepts an item only when the thorough path would, with the same row, and
the answer (accepted rows, rejected count, the 400s) is the thorough path's for every body.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import msgspec

from power_portal.core.request_checks import MAX_ID
from power_portal.fleet.ingest import (
    CLOCK_SKEW_ALLOWANCE,
    MeasurementRow,
    measurement_row,
    parse_items,
)
from power_portal.measurements.fields import FIELD_NAMES
from power_portal.measurements.ingest import runs_of
from power_portal.measurements.parsing import EARLIEST, FUTURE_TOLERANCE, MAX_MAGNITUDE

_Value = Annotated[float, msgspec.Meta(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]
_DeviceId = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
# (device_id, time, *FIELD_NAMES, received_at): received_at is allowed and ignored.
_FastItem = msgspec.defstruct(
    "FleetMeasurementItem",
    [
        ("device_id", _DeviceId),
        ("time", str),
        *((name, _Value | None, None) for name in FIELD_NAMES),
        ("received_at", str | None, None),
    ],
    forbid_unknown_fields=True,
)
_FastBatch = msgspec.defstruct(
    "FleetMeasurementBatch",
    [("items", list[_FastItem])],  # type: ignore[valid-type]
    forbid_unknown_fields=True,
)
_RawBatch = msgspec.defstruct(
    "FleetRawBatch", [("items", list[msgspec.Raw])], forbid_unknown_fields=True
)
_batch_decoder = msgspec.json.Decoder(_FastBatch)
_raw_decoder = msgspec.json.Decoder(_RawBatch)
_item_decoder = msgspec.json.Decoder(_FastItem)
_astuple = msgspec.structs.astuple
_fromisoformat = datetime.fromisoformat
_EMPTY = len(FIELD_NAMES)
# what msgspec may raise on a body (a deep nesting is Python's RecursionError)
_DECODE_ERRORS = (msgspec.DecodeError, msgspec.ValidationError, RecursionError)


@dataclass(frozen=True)
class DecodedBatch:
    """The valid items' rows, in the batch's order, and how many items the batch held."""

    rows: list[MeasurementRow]
    items: int

    @property
    def rejected(self) -> int:
        return self.items - len(self.rows)


def _typed_row(values: tuple[Any, ...], latest: datetime) -> MeasurementRow | None:
    """The row of an item whose types msgspec checked (``_FastItem``'s order), or None."""
    try:
        moment = _fromisoformat(values[1])
    except ValueError:
        return None
    if moment.tzinfo is None or moment < EARLIEST or moment > latest:
        return None
    fields = values[2:-1]
    if fields.count(None) == _EMPTY:
        return None
    return (values[0], moment, *fields)


def _latest(now: datetime) -> datetime:
    return now + FUTURE_TOLERANCE + CLOCK_SKEW_ALLOWANCE


def _typed_rows(items: Iterable[Any], latest: datetime) -> list[MeasurementRow]:
    rows = (_typed_row(_astuple(item), latest) for item in items)
    return [row for row in rows if row is not None]


def _thorough(body: bytes, now: datetime) -> DecodedBatch:
    """Today's path, item by item: ``parse_items`` (raises ``MalformedBatchError``) and
    ``measurement_row``."""
    items = parse_items(body)
    rows = [row for row in (measurement_row(item, now) for item in items) if row is not None]
    return DecodedBatch(rows, len(items))


def _item_by_item(
    raw_items: Sequence[msgspec.Raw], latest: datetime, now: datetime
) -> list[MeasurementRow | None] | None:
    """Each raw item's row (None: rejected), or None when an item is not JSON that Python
    reads (then the whole body must take the thorough path)."""
    rows: list[MeasurementRow | None] = []
    for raw in raw_items:
        try:
            item = _item_decoder.decode(raw)
        except _DECODE_ERRORS:
            try:
                parsed = json.loads(bytes(raw))
            except (ValueError, RecursionError):
                return None
            rows.append(measurement_row(parsed, now))
            continue
        rows.append(_typed_row(_astuple(item), latest))
    return rows


def decode_measurements(body: bytes, now: datetime) -> DecodedBatch:
    """The valid items of a measurements batch as rows ``(device_id, time, *FIELD_NAMES)``,
    in the batch's order; raises ``MalformedBatchError`` when the body is not
    ``{"items": [...]}`` (exactly when ``parse_items`` does)."""
    latest = _latest(now)
    try:
        batch = _batch_decoder.decode(body)
    except _DECODE_ERRORS:
        pass
    else:
        items = batch.items  # type: ignore[attr-defined]
        return DecodedBatch(_typed_rows(items, latest), len(items))
    try:
        raw_items = _raw_decoder.decode(body).items  # type: ignore[attr-defined]
    except _DECODE_ERRORS:
        return _thorough(body, now)
    rows = _item_by_item(raw_items, latest, now)
    if rows is None:
        return _thorough(body, now)
    return DecodedBatch([row for row in rows if row is not None], len(rows))


def unique_rows(rows: Iterable[MeasurementRow]) -> list[MeasurementRow]:
    """The first row of each (device, instant): the same instant twice in one batch is a
    duplicate."""
    unique: dict[tuple[int, datetime], MeasurementRow] = {}
    for row in rows:
        unique.setdefault((row[0], row[1]), row)
    return list(unique.values())


@dataclass(frozen=True)
class StoredRun:
    """New rows of one device, none more than 6 hours from the next: first, last, count."""

    device_id: int
    lo: datetime
    hi: datetime
    rows: int


def rows_by_device(rows: Iterable[MeasurementRow]) -> dict[int, list[MeasurementRow]]:
    """Each device's rows in time order, the devices in id order."""
    grouped: dict[int, list[MeasurementRow]] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row)
    return {device: sorted(grouped[device], key=_time_of) for device in sorted(grouped)}


def _time_of(row: MeasurementRow) -> datetime:
    moment: datetime = row[1]
    return moment


def new_runs(by_device: dict[int, list[MeasurementRow]]) -> list[StoredRun]:
    """The runs of rows that are all new, from ``rows_by_device`` (a gap of more than 6
    hours starts a new run, as the staging insert groups them)."""
    return [
        StoredRun(device, lo, hi, count)
        for device, device_rows in by_device.items()
        for lo, hi, count in runs_of([row[1] for row in device_rows])
    ]
