"""The push's msgspec body against the stdlib body it replaced: the same JSON, value for value."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from power_portal.fleet.encoding import measurements_body
from power_portal.measurements.fields import FIELD_NAMES

COLUMNS = ("xid", "device_id", "time", *FIELD_NAMES)
T0 = datetime(2024, 3, 31, 0, 59, 59, tzinfo=UTC)


def reference_body(rows: list[tuple[Any, ...]]) -> str:
    """What the push sent before: rows as dicts, the item built key by key, stdlib json."""
    dict_rows = [dict(zip(COLUMNS, row, strict=True)) for row in rows]
    items = [
        {
            "device_id": row["device_id"],
            "time": row["time"].isoformat(),
            **{name: row[name] for name in FIELD_NAMES if row[name] is not None},
        }
        for row in dict_rows
    ]
    return json.dumps({"items": items}, default=str)


def row(
    values: dict[str, Any] | None = None,
    *,
    time: datetime = T0,
    device_id: int = 7,
    xid: str = "1234",
) -> tuple[Any, ...]:
    """A stored row ``(xid, device_id, time, *FIELD_NAMES)``; fields not given are NULL."""
    values = values or {}
    assert set(values) <= set(FIELD_NAMES)
    return (xid, device_id, time, *(values.get(name) for name in FIELD_NAMES))


EXTREMES = [
    1e12,
    -1e12,
    -0.0,
    0.0,
    5e-324,  # the smallest subnormal
    2.2250738585072014e-308,
    1e-7,
    1.7976931348623157e308,
    0.1 + 0.2,
    123456789.123456789,
    1e15,
    1e16,
    1e22,
    -1e-300,
    230.0,
    49.999999999999,
    7,  # an int where a float is expected: written as an int, as before
]
ALL_FIELDS = {name: 100.0 + i + i / 7 for i, name in enumerate(FIELD_NAMES)}

CASES: dict[str, list[tuple[Any, ...]]] = {
    "no rows": [],
    "every field set": [row(ALL_FIELDS)],
    "every field NULL": [row()],
    **{f"only {name}": [row({name: 1.5})] for name in FIELD_NAMES},
    **{f"all but {name}": [row({**ALL_FIELDS, name: None})] for name in FIELD_NAMES},
    "every other field NULL": [
        row({name: float(i) for i, name in enumerate(FIELD_NAMES) if i % 2}),
        row({name: float(i) for i, name in enumerate(FIELD_NAMES) if not i % 2}),
    ],
    "extreme floats in every field": [row(dict.fromkeys(FIELD_NAMES, value)) for value in EXTREMES],
    "extreme floats spread over the fields": [
        row({name: EXTREMES[(i + shift) % len(EXTREMES)] for i, name in enumerate(FIELD_NAMES)})
        for shift in range(len(EXTREMES))
    ],
    "zero values are sent, not left out": [row(dict.fromkeys(FIELD_NAMES, 0.0))],
    "times in UTC, other zones, with and without microseconds": [
        row({"power_kw": 1.0}, time=moment)
        for moment in (
            T0,
            T0.replace(microsecond=1),
            T0.replace(microsecond=999_999),
            T0.replace(tzinfo=timezone.utc),  # noqa: UP017 - the other spelling, on purpose
            T0.replace(tzinfo=ZoneInfo("UTC")),
            T0.astimezone(ZoneInfo("Europe/Berlin")),
            T0.astimezone(timezone(timedelta(hours=-3, minutes=-30))),
            T0.astimezone(timezone(timedelta(hours=5, minutes=45, seconds=30))),
            datetime(1970, 1, 1, tzinfo=UTC),
            datetime(2000, 1, 1, 12, 0, 0, 500_000, tzinfo=UTC),
            datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
            datetime(2024, 1, 1, 0, 0),  # naive (the database never gives one)
        )
    ],
    "many devices and rows, in stored order": [
        row(
            dict.fromkeys(FIELD_NAMES[n % 5 :: 3], (d * 1000 + n) / 3),
            time=T0 + timedelta(minutes=n),
            device_id=d,
            xid=str(10_000 + n),
        )
        for n in range(40)
        for d in (1, 2, 9_007_199_254_740_993, 2**63 - 1)
    ],
}


@pytest.mark.parametrize("rows", CASES.values(), ids=CASES.keys())
def test_the_body_decodes_to_what_the_stdlib_body_did(rows: list[tuple[Any, ...]]) -> None:
    body = measurements_body(rows)
    assert isinstance(body, bytes)
    decoded = json.loads(body)
    expected = json.loads(reference_body(rows))
    assert decoded == expected
    # the same keys in the same order, the same number types, the sign of every zero
    for got, want in zip(decoded["items"], expected["items"], strict=True):
        assert list(got) == list(want)
        for key, value in want.items():
            assert type(got[key]) is type(value), key
            if isinstance(value, float):
                assert math.copysign(1, got[key]) == math.copysign(1, value), key


@pytest.mark.parametrize("rows", CASES.values(), ids=CASES.keys())
def test_a_null_field_is_left_out_never_sent_as_null(rows: list[tuple[Any, ...]]) -> None:
    body = measurements_body(rows)
    assert b"null" not in body
    for item, stored in zip(json.loads(body)["items"], rows, strict=True):
        present = {
            name for name, value in zip(FIELD_NAMES, stored[3:], strict=True) if value is not None
        }
        assert set(item) == {"device_id", "time"} | present


def test_times_are_the_rows_isoformat_strings() -> None:
    moments = CASES["times in UTC, other zones, with and without microseconds"]
    items = json.loads(measurements_body(moments))["items"]
    assert [item["time"] for item in items] == [r[2].isoformat() for r in moments]
    assert items[0]["time"] == "2024-03-31T00:59:59+00:00"  # not "...Z"
    assert items[1]["time"] == "2024-03-31T00:59:59.000001+00:00"


def test_the_cases_cover_every_field_null_and_set() -> None:
    rows = [r for rows in CASES.values() for r in rows]
    for i, name in enumerate(FIELD_NAMES, start=3):
        assert any(r[i] is None for r in rows), name
        assert any(r[i] is not None for r in rows), name
