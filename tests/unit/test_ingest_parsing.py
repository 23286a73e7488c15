"""The JSON fast path (msgspec) accepts exactly what the thorough path (pydantic) accepts."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from power_portal.measurements.fields import FIELD_NAMES
from power_portal.measurements.parsing import (
    InvalidRowsError,
    MalformedBodyError,
    _parse_json_fast,
    _parse_json_thorough,
    parse_json,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
T = "2026-05-01T10:00:00+02:00"


def outcome(parse: object, body: bytes) -> object:
    """Rows (as comparable tuples) or the error's kind and problems."""
    assert callable(parse)
    try:
        rows = parse(body, NOW)
    except InvalidRowsError as exc:
        return ("invalid", [p.as_detail() for p in exc.problems])
    except MalformedBodyError:
        return ("malformed",)
    return ("ok", [(row[0].astimezone(UTC), *row[1:]) for row in rows])


BODIES = [
    {"measurements": [{"time": T, "power_kw": 1.5}]},
    {"measurements": [{"time": T, "power_kw": 1}]},  # an integer is a number
    {"measurements": [{"time": T, "power_kw": None, "frequency_hz": 50.0}]},
    {"measurements": [{"time": "2026-05-01T08:00:00Z", "energy_import_kwh": 10.0}]},
    {"measurements": []},
    {"measurements": [{"time": T, "power_kw": True}]},
    {"measurements": [{"time": T, "power_kw": "12"}]},
    {"measurements": [{"time": "2026-05-01T10:00:00", "power_kw": 1.0}]},  # no offset
    {"measurements": [{"time": 1_700_000_000, "power_kw": 1.0}]},
    {"measurements": [{"power_kw": 1.0}]},
    {"measurements": [{"time": T, "power_kw": 1.0, "colour": "red"}]},
    {"measurements": [{"time": T}]},  # no value besides time
    {"measurements": [{"time": "1999-12-31T23:00:00+00:00", "power_kw": 1.0}]},
    {"measurements": [{"time": "2026-06-03T12:00:00+00:00", "power_kw": 1.0}]},  # future
    {"measurements": [{"time": T, "power_kw": 1.0}], "extra": 1},
    {"rows": []},
    [1, 2, 3],
]


@pytest.mark.parametrize("document", BODIES, ids=range(len(BODIES)))
def test_fast_and_thorough_paths_agree(document: object) -> None:
    body = json.dumps(document).encode()
    assert outcome(parse_json, body) == outcome(_parse_json_thorough, body)


@pytest.mark.parametrize(
    "body",
    [
        b'{"measurements":[{"time":"2026-05-01T10:00:00+02:00","power_kw":NaN}]}',
        b'{"measurements":[{"time":"2026-05-01T10:00:00+02:00","power_kw":Infinity}]}',
        b'{"measurements":[{"time":"2026-05-01T10:00:00+02:00","power_kw":1e999}]}',
        b'{"measurements":[{"time":"2026-05-01T10:00:00+02:00","power_kw":1.0}',
        b"\xef\xbb\xbfnot json",
    ],
)
def test_what_the_fast_path_refuses_is_decided_by_the_thorough_path(body: bytes) -> None:
    assert _parse_json_fast(body) is None
    assert outcome(parse_json, body) == outcome(_parse_json_thorough, body)
    assert outcome(parse_json, body)[0] in ("invalid", "malformed")  # type: ignore[index]


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
value = st.one_of(st.none(), finite, st.integers(-(10**6), 10**6))
row = st.fixed_dictionaries(
    {"time": st.sampled_from([T, "2026-05-31T23:59:59.5+05:30", "2000-01-01T00:00:00Z"])},
    optional=dict.fromkeys(FIELD_NAMES[:6], value),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(row, max_size=8))
def test_random_batches_get_the_same_answer_on_both_paths(rows: list[dict[str, object]]) -> None:
    body = json.dumps({"measurements": rows}).encode()
    assert outcome(parse_json, body) == outcome(_parse_json_thorough, body)
