"""The fleet's fast measurement decoder (msgspec) gives the thorough path's answer
(``parse_items`` + ``measurement_row``) for every body: the same rows, the same rejected
count, the same 400s."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from power_portal.core.request_checks import MAX_ID
from power_portal.fleet import decoding
from power_portal.fleet.decoding import (
    DecodedBatch,
    StoredRun,
    decode_measurements,
    new_runs,
    rows_by_device,
    unique_rows,
)
from power_portal.fleet.ingest import MalformedBatchError, measurement_row, parse_items
from power_portal.measurements.fields import FIELD_NAMES

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
T = "2026-05-01T10:00:00+02:00"
GOOD = {"device_id": 7, "time": T, "power_kw": 1.5}


def thorough(body: bytes) -> object:
    """Today's answer: the rows of the valid items and the rejected count, or the 400."""
    try:
        items = parse_items(body)
    except MalformedBatchError as exc:
        return ("malformed", str(exc))
    rows = [row for row in (measurement_row(item, NOW) for item in items) if row is not None]
    return ("ok", rows, len(items) - len(rows))


def fast(body: bytes) -> object:
    try:
        decoded = decode_measurements(body, NOW)
    except MalformedBatchError as exc:
        return ("malformed", str(exc))
    return ("ok", decoded.rows, decoded.rejected)


# (item, accepted?) — every kind of item the rules tell apart
ITEMS: list[tuple[object, bool]] = [
    (GOOD, True),
    ({"device_id": 1, "time": T, "power_kw": 1}, True),  # an integer is a number
    ({"device_id": 1, "time": T, "power_kw": None, "frequency_hz": 50.0}, True),
    ({"device_id": 1, "time": "2026-05-01T08:00:00Z", "energy_import_kwh": 10.0}, True),
    ({"device_id": 1, "time": "2026-05-01 08:00:00+00:00", "power_kw": 1.0}, True),  # ISO
    ({"device_id": 1, "time": "2026-05-01T08:00+05:30", "power_kw": 1.0}, True),
    ({"device_id": 1, "time": "2026-05-01T08:00:00.123456+00:00", "power_kw": 1.0}, True),
    ({"device_id": 1, "time": T, "power_kw": 1.0, "received_at": "2026-05-01T09:00Z"}, True),
    ({"device_id": 1, "time": T, "power_kw": 1.0, "received_at": 17}, True),  # ignored
    ({"device_id": 1, "time": T, "power_kw": 1.0, "received_at": None}, True),
    ({"device_id": 1, "time": T, **dict.fromkeys(FIELD_NAMES, 2.5)}, True),  # every field
    ({"device_id": 1, "time": T, "power_kw": -0.0}, True),
    # limits: ids, magnitudes, the time window with the clock-skew allowance
    ({"device_id": MAX_ID, "time": T, "power_kw": 1.0}, True),
    ({"device_id": MAX_ID + 1, "time": T, "power_kw": 1.0}, False),
    ({"device_id": 0, "time": T, "power_kw": 1.0}, False),
    ({"device_id": -3, "time": T, "power_kw": 1.0}, False),
    ({"device_id": 10**30, "time": T, "power_kw": 1.0}, False),
    ({"device_id": 1, "time": T, "power_kw": 1e12}, True),
    ({"device_id": 1, "time": T, "power_kw": -1e12}, True),
    ({"device_id": 1, "time": T, "power_kw": 10**12}, True),
    ({"device_id": 1, "time": T, "power_kw": 10**12 + 1}, False),
    ({"device_id": 1, "time": T, "power_kw": 1.0000001e12}, False),
    ({"device_id": 1, "time": T, "power_kw": -1e13}, False),
    ({"device_id": 1, "time": T, "power_kw": 1e308}, False),
    ({"device_id": 1, "time": T, "power_kw": 10**400}, False),
    ({"device_id": 1, "time": "2000-01-01T00:00:00+00:00", "power_kw": 1.0}, True),
    ({"device_id": 1, "time": "1999-12-31T23:59:59+00:00", "power_kw": 1.0}, False),
    ({"device_id": 1, "time": (NOW + timedelta(days=366)).isoformat(), "power_kw": 1.0}, True),
    (
        {
            "device_id": 1,
            "time": (NOW + timedelta(days=366, seconds=1)).isoformat(),
            "power_kw": 1.0,
        },
        False,
    ),
    ({"device_id": 1, "time": "2026-05-01T10:00:00", "power_kw": 1.0}, False),  # no offset
    ({"device_id": 1, "time": "2026-05-01", "power_kw": 1.0}, False),  # a date: naive
    ({"device_id": 1, "time": "yesterday", "power_kw": 1.0}, False),
    ({"device_id": 1, "time": "", "power_kw": 1.0}, False),
    # wrong types
    ({"device_id": "1", "time": T, "power_kw": 1.0}, False),
    ({"device_id": 1.0, "time": T, "power_kw": 1.0}, False),
    ({"device_id": True, "time": T, "power_kw": 1.0}, False),
    ({"device_id": None, "time": T, "power_kw": 1.0}, False),
    ({"device_id": 1, "time": 1_700_000_000, "power_kw": 1.0}, False),
    ({"device_id": 1, "time": None, "power_kw": 1.0}, False),
    ({"device_id": 1, "time": T, "power_kw": "12"}, False),
    ({"device_id": 1, "time": T, "power_kw": True}, False),
    ({"device_id": 1, "time": T, "power_kw": [1.0]}, False),
    ({"device_id": 1, "time": T, "power_kw": {"v": 1.0}}, False),
    # missing, empty, extra
    ({"time": T, "power_kw": 1.0}, False),
    ({"device_id": 1, "power_kw": 1.0}, False),
    ({"device_id": 1, "time": T}, False),  # no value besides time
    ({"device_id": 1, "time": T, "power_kw": None}, False),
    ({"device_id": 1, "time": T, "power_kw": 1.0, "colour": "red"}, False),
    ({"device_id": 1, "time": T, "power_kw": 1.0, "customer_id": 1}, False),  # token decides
    # not an object
    ([1, T, 1.0], False),
    ("reading", False),
    (12, False),
    (None, False),
    ({}, False),
]


def body_of(*items: object, **top: object) -> bytes:
    return json.dumps({"items": list(items), **top}).encode()


@pytest.mark.parametrize(("item", "accepted"), ITEMS, ids=range(len(ITEMS)))
def test_each_item_is_judged_as_the_thorough_path_judges_it(item: object, accepted: bool) -> None:
    assert (measurement_row(item, NOW) is not None) is accepted
    alone = body_of(item)
    expected = ("ok", [measurement_row(item, NOW)], 0) if accepted else ("ok", [], 1)
    assert fast(alone) == thorough(alone) == expected
    # between two good items: it is rejected or kept on its own, the others are stored
    between = body_of(GOOD, item, {**GOOD, "time": "2026-05-01T11:00:00+02:00"})
    assert fast(between) == thorough(between)


def test_a_batch_of_every_kind_of_item() -> None:
    body = body_of(*(item for item, _ in ITEMS))
    decoded = fast(body)
    assert decoded == thorough(body)
    assert decoded[2] == sum(not accepted for _, accepted in ITEMS)  # type: ignore[index]


NAN_ITEM = b'{"device_id": 1, "time": "2026-05-01T10:00:00Z", "power_kw": NaN}'
GOOD_ITEM = json.dumps(GOOD).encode()
AT = b'"time": "2026-05-01T10:00:00Z"'


def raw_items(*items: bytes) -> bytes:
    return b'{"items": [' + b", ".join(items) + b"]}"


# (body, 400?) — bodies msgspec does not read the way Python's json does
BODIES: list[tuple[bytes, bool]] = [
    (b'{"items": []}', False),
    (b'{"items": [' + GOOD_ITEM + b", " + NAN_ITEM + b"]}", False),  # NaN literal: rejected
    (b'{"items": [' + NAN_ITEM.replace(b"NaN", b"Infinity") + b"]}", False),
    (b'{"items": [' + NAN_ITEM.replace(b"NaN", b"-Infinity") + b"]}", False),
    (b'{"items": [' + NAN_ITEM.replace(b"NaN", b"1e999") + b"]}", False),  # inf: rejected
    (b'{"items": [' + GOOD_ITEM + b'], "cursor": "x"}', False),  # another key: ignored
    (b'{"items": 1, "items": [' + GOOD_ITEM + b"]}", False),  # the last key wins
    # a key twice in an item: the last one wins
    (raw_items(b'{"device_id": 1, "device_id": 2, ' + AT + b', "power_kw": 1}'), False),
    (raw_items(b'{"device_id": "x", "device_id": 2, ' + AT + b', "power_kw": 1}'), False),
    (raw_items(b'{"device_id": 2, "device_id": "x", ' + AT + b', "power_kw": 1}'), False),
    (b'\xef\xbb\xbf{"items": [' + GOOD_ITEM + b"]}", False),  # a UTF-8 BOM
    (json.dumps({"items": [GOOD]}).encode("utf-16"), False),  # Python reads UTF-16 too
    (b'{"items": [{"device_id": 1, "time": "\\ud800", "power_kw": 1}]}', False),
    (b'{"items": [' + GOOD_ITEM + b', {"x": ' + b"[" * 5000 + b"]" * 5000 + b"}]}", True),
    (b'{"items": [' + GOOD_ITEM + b', {"x": ' + b"[" * 50 + b"]" * 50 + b"}]}", False),
    (b'{"items": [' + GOOD_ITEM + b'], "x": ' + b"9" * 5000 + b"}", True),  # Python's limit
    (raw_items(b'{"device_id": 1, ' + AT + b', "power_kw": ' + b"9" * 5000 + b"}"), True),
    (b'{"items": [' + GOOD_ITEM + b', {"received_at": ' + b"9" * 5000 + b"}]}", True),
    (b"{nope", True),
    (b"", True),
    (b"[]", True),
    (b'{"items": {}}', True),
    (b'{"rows": []}', True),
    (b'{"items": [' + GOOD_ITEM + b",]}", True),  # a trailing comma
    (b'{"items": [{"device_id": 01, "time": "2026-05-01T10:00:00Z", "power_kw": 1}]}', True),
    (b'{"items": [{"device_id": 1, "time": "a\x01b", "power_kw": 1}]}', True),  # control char
    (b"\xff\xfe garbage", True),
    (b"[" * 100_000 + b"]" * 100_000, True),
]


@pytest.mark.parametrize(("body", "refused"), BODIES, ids=range(len(BODIES)))
def test_every_body_gets_the_thorough_paths_answer(body: bytes, refused: bool) -> None:
    expected = thorough(body)
    assert expected[0] == ("malformed" if refused else "ok")  # type: ignore[index]
    assert fast(body) == expected


def test_a_clean_batch_never_takes_the_thorough_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> Any:
        raise AssertionError("the thorough path was taken")

    monkeypatch.setattr(decoding, "measurement_row", refuse)
    monkeypatch.setattr(decoding, "parse_items", refuse)
    items = [{**GOOD, "time": f"2026-05-01T10:{m:02d}:00+02:00"} for m in range(60)]
    decoded = decode_measurements(body_of(*items), NOW)
    assert decoded == DecodedBatch(decoded.rows, 60)
    assert len(decoded.rows) == 60
    first = datetime.fromisoformat("2026-05-01T10:00:00+02:00")
    assert decoded.rows[0] == (7, first, *[None] * 10, 1.5, *[None] * 12)


def test_one_bad_item_sends_only_itself_the_thorough_way(monkeypatch: pytest.MonkeyPatch) -> None:
    judged: list[object] = []

    def spy(item: object, now: datetime) -> object:
        judged.append(item)
        return measurement_row(item, now)

    monkeypatch.setattr(decoding, "measurement_row", spy)
    decoded = decode_measurements(body_of(GOOD, {**GOOD, "power_kw": "x"}, GOOD), NOW)
    assert (len(decoded.rows), decoded.rejected) == (2, 1)
    assert judged == [{**GOOD, "power_kw": "x"}]


def test_unique_rows_keeps_the_first_of_each_device_and_instant() -> None:
    t0, t1 = datetime(2026, 5, 1, 8, tzinfo=UTC), datetime(2026, 5, 1, 9, tzinfo=UTC)
    same_instant = datetime.fromisoformat("2026-05-01T10:00:00+02:00")  # = t0
    rows = [(1, t0, 1.0), (1, t1, 2.0), (1, same_instant, 3.0), (2, t0, 4.0)]
    assert unique_rows(rows) == [(1, t0, 1.0), (1, t1, 2.0), (2, t0, 4.0)]


def test_rows_by_device_and_the_runs_of_new_rows() -> None:
    at = [datetime(2026, 5, 1, tzinfo=UTC) + timedelta(hours=h) for h in (0, 1, 6, 7, 20, 27)]
    rows = [(2, at[3], 1.0), (1, at[1], 1.0), (2, at[0], 1.0), (1, at[0], 1.0), (2, at[5], 1.0)]
    rows += [(1, at[4], 1.0), (2, at[2], 1.0)]
    grouped = rows_by_device(rows)
    assert list(grouped) == [1, 2]
    assert [row[1] for row in grouped[1]] == [at[0], at[1], at[4]]
    assert [row[1] for row in grouped[2]] == [at[0], at[2], at[3], at[5]]
    # a gap of more than 6 hours starts a new run; exactly 6 hours does not
    assert new_runs(grouped) == [
        StoredRun(1, at[0], at[1], 2),
        StoredRun(1, at[4], at[4], 1),
        StoredRun(2, at[0], at[3], 3),
        StoredRun(2, at[5], at[5], 1),
    ]
    assert new_runs({}) == []


# any JSON value in an item's place; numbers around the limits
_numbers = st.one_of(
    st.integers(min_value=-(10**13), max_value=10**13),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e12, -1e12, 1e12 + 1, 0.0, -0.0, 5e-324]),
)
_values = st.one_of(_numbers, st.none(), st.booleans(), st.text(max_size=5))
_times = st.one_of(
    st.datetimes(
        min_value=datetime(1999, 12, 1),
        max_value=datetime(2027, 12, 31),
        timezones=st.sampled_from([UTC, None]),
    ).map(lambda moment: moment.isoformat()),
    st.sampled_from(["2026-05-01", "2026-05-01T10:00:00+0200", "2026-13-01T00:00:00Z", ""]),
    st.integers(),
)
_items = st.fixed_dictionaries(
    {
        "device_id": st.one_of(st.integers(min_value=-2, max_value=2**64), st.booleans()),
        "time": _times,
    },
    optional={
        **dict.fromkeys(FIELD_NAMES[:3], _values),
        "energy_import_kwh": _values,
        "received_at": _values,
        "colour": st.just("red"),
    },
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_items, st.none(), st.integers()), max_size=8))
def test_the_fast_decoder_and_the_thorough_path_agree(items: list[Any]) -> None:
    body = json.dumps({"items": items}).encode()
    assert fast(body) == thorough(body)
