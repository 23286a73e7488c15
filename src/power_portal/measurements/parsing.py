"""Turning an ingest body (JSON or CSV) into validated rows, all or nothing.

Pure functions, no database. JSON takes a fast path first: msgspec decodes
and type-checks the whole body in one pass (a few ms for 5,000 rows). Anything
it refuses (or a naive time) goes down the thorough path, pydantic-core,
which is the source of truth for what is valid and reports every problem, so
both paths accept exactly the same bodies and errors read the same. CSV cells
are converted here and then share the same row rules. Any invalid row
refuses the whole batch with every problem found (up to a limit), each
naming its row and field.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, NotRequired

import msgspec
from pydantic import AwareDatetime, ConfigDict, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from power_portal.measurements.fields import FIELD_NAMES

MAX_REPORTED_PROBLEMS = 20
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=1)
# No meter reads more (kW, kWh, V, A…); sums of values this size stay finite, so a
# reading of 1e308 cannot overflow rollups, charts or bills (it used to: 500s, and a
# rollup worker retrying the same batch for ever).
MAX_MAGNITUDE = 1e12
OUT_OF_RANGE = f"must be between -{MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g}"

# A row ready for COPY: time, then every field of FIELD_NAMES in order (None = no value).
Row = tuple[Any, ...]


@dataclass(frozen=True)
class Problem:
    row: int | None
    field: str | None
    message: str
    kind: str = "value_error"

    def as_detail(self) -> dict[str, Any]:
        loc: list[str | int] = ["body", "measurements"]
        if self.row is not None:
            loc.append(self.row)
        if self.field is not None:
            loc.append(self.field)
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(self.field)
        prefix = ", ".join(where)
        return {
            "loc": loc,
            "msg": f"{prefix}: {self.message}" if prefix else self.message,
            "type": self.kind,
        }


class MalformedBodyError(ValueError):
    """The body is not JSON/CSV of the expected shape (400)."""


class InvalidRowsError(ValueError):
    """Some rows break the rules (422); nothing of the batch may be stored."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} invalid value(s)")
        self.problems = problems


def _row_type() -> type:
    annotations: dict[str, Any] = {"time": AwareDatetime}
    annotations |= dict.fromkeys(FIELD_NAMES, NotRequired[float | None])
    row_type = TypedDict("MeasurementRow", annotations)  # type: ignore[misc]
    row_type.__pydantic_config__ = ConfigDict(  # type: ignore[attr-defined]
        extra="forbid", strict=True, allow_inf_nan=False
    )
    return row_type


MeasurementRow = _row_type()


class _Body(TypedDict):
    measurements: list[MeasurementRow]  # type: ignore[valid-type]


_Body.__pydantic_config__ = ConfigDict(extra="forbid", strict=True)  # type: ignore[attr-defined]
_body_adapter: TypeAdapter[_Body] = TypeAdapter(_Body)

_PYDANTIC_MESSAGES = {
    "extra_forbidden": ("unknown field", "unknown_field"),
    "float_type": ("must be a number", "type_error"),
    "finite_number": ("must be a finite number (no NaN or Infinity)", "value_error"),
    "timezone_aware": (
        "must be an RFC 3339 time with an offset, like 2026-05-01T10:00:00+02:00",
        "value_error",
    ),
    "datetime_type": (
        "must be an RFC 3339 time with an offset, like 2026-05-01T10:00:00+02:00",
        "type_error",
    ),
    "datetime_from_date_parsing": ("must be an RFC 3339 time with an offset", "value_error"),
    "missing": ("is required", "missing"),
}


def _problem_from_pydantic(error: Mapping[str, Any]) -> Problem:
    loc = list(error["loc"])
    if loc and loc[0] == "measurements":
        loc = loc[1:]
    row = loc[0] if loc and isinstance(loc[0], int) else None
    field = next((str(part) for part in loc[1:] if isinstance(part, str)), None)
    if row is None and field is None and loc:
        field = str(loc[0])
    error_type = str(error["type"])
    if error_type.startswith("datetime") and error_type not in _PYDANTIC_MESSAGES:
        error_type = "datetime_type"
    message, kind = _PYDANTIC_MESSAGES.get(error_type, (error["msg"], error_type))
    return Problem(row, field, message, kind)


def check_rows(rows: Iterable[Mapping[str, Any]], now: datetime) -> list[Row]:
    """The rules pydantic cannot express: magnitude, time window, at least one value."""
    tuples = [(row["time"], *map(row.get, FIELD_NAMES)) for row in rows]
    check_magnitudes(tuples)
    return check_tuples(tuples, now)


def check_magnitudes(rows: list[Row]) -> None:
    """Every value within ±MAX_MAGNITUDE (the JSON fast path has msgspec check this)."""
    values = [value for row in rows for value in row[1:] if value is not None]
    if not values or (max(values) <= MAX_MAGNITUDE and min(values) >= -MAX_MAGNITUDE):
        return
    problems: list[Problem] = []
    for index, row in enumerate(rows):
        for name, value in zip(FIELD_NAMES, row[1:], strict=True):
            if value is not None and not -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE:
                problems.append(Problem(index, name, OUT_OF_RANGE))
        if len(problems) >= MAX_REPORTED_PROBLEMS:
            break
    raise InvalidRowsError(problems[:MAX_REPORTED_PROBLEMS])


def check_tuples(rows: list[Row], now: datetime) -> list[Row]:
    """``check_rows`` for rows in COPY order (time, then FIELD_NAMES) whose magnitudes
    are already checked."""
    latest = now + FUTURE_TOLERANCE
    empty = len(FIELD_NAMES)
    if not rows:
        return rows
    times = [row[0] for row in rows]
    if (
        min(times) >= EARLIEST
        and max(times) <= latest
        and max([row.count(None) for row in rows]) < empty
    ):
        return rows  # the common case, checked in C-speed passes
    problems: list[Problem] = []
    for index, row in enumerate(rows):
        time = row[0]
        if time < EARLIEST:
            problems.append(Problem(index, "time", "is before 2000-01-01"))
        elif time > latest:
            problems.append(Problem(index, "time", "is more than 1 day in the future"))
        if row.count(None) == empty:
            problems.append(Problem(index, None, "has no measured value besides time"))
        if len(problems) >= MAX_REPORTED_PROBLEMS:
            break
    if problems:
        raise InvalidRowsError(problems)
    return rows


# The fast path's types: strict (no strings or booleans for numbers), unknown
# fields refused; the JSON grammar has no NaN/Infinity and an out-of-range
# number (1e999) is refused rather than read as infinity; magnitudes are bounded.
_Value = Annotated[float, msgspec.Meta(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]
_FastRow = msgspec.defstruct(
    "FastRow",
    [("time", datetime), *((name, _Value | None, None) for name in FIELD_NAMES)],
    forbid_unknown_fields=True,
)
_FastBody = msgspec.defstruct(
    "FastBody",
    [("measurements", list[_FastRow])],  # type: ignore[valid-type]
    forbid_unknown_fields=True,
)
_fast_decoder = msgspec.json.Decoder(_FastBody)
_astuple = msgspec.structs.astuple


def _parse_json_fast(body: bytes) -> list[Row] | None:
    """Rows in COPY order, or None when the thorough path must decide."""
    try:
        decoded = _fast_decoder.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    rows: list[Row] = [_astuple(row) for row in decoded.measurements]  # type: ignore[attr-defined]
    if any(row[0].tzinfo is None for row in rows):
        return None
    return rows


def parse_json(body: bytes, now: datetime) -> list[Row]:
    fast = _parse_json_fast(body)
    if fast is not None:
        return check_tuples(fast, now)
    return _parse_json_thorough(body, now)


def _parse_json_thorough(body: bytes, now: datetime) -> list[Row]:
    try:
        parsed = _body_adapter.validate_json(body)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        if any(e["type"] == "json_invalid" for e in errors):
            raise MalformedBodyError(f"malformed JSON: {errors[0]['msg']}") from exc
        if any(len(e["loc"]) < 2 for e in errors):
            first = errors[0]
            raise MalformedBodyError(
                'the body must be a JSON object {"measurements": [ {...}, ... ]}: '
                f"{'.'.join(map(str, first['loc'])) or 'body'}: {first['msg']}"
            ) from exc
        problems = [_problem_from_pydantic(e) for e in errors[:MAX_REPORTED_PROBLEMS]]
        raise InvalidRowsError(problems) from exc
    return check_rows(parsed["measurements"], now)


def _parse_time(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def _parse_number(text: str) -> float | None:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("not finite")
    return value


def parse_csv(body: bytes, now: datetime) -> list[Row]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedBodyError(f"CSV must be UTF-8: {exc.reason} at byte {exc.start}") from exc
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise MalformedBodyError("the CSV is empty: it needs a header row")
        columns = [name.strip() for name in header]
        unknown = [c for c in columns if c != "time" and c not in FIELD_NAMES]
        if unknown:
            raise InvalidRowsError([Problem(None, c, "unknown column") for c in unknown])
        duplicated = sorted({c for c in columns if columns.count(c) > 1})
        if duplicated:
            raise InvalidRowsError([Problem(None, c, "column appears twice") for c in duplicated])
        if "time" not in columns:
            raise InvalidRowsError([Problem(None, "time", "the header has no time column")])
        rows: list[dict[str, Any]] = []
        problems: list[Problem] = []
        for index, cells in enumerate(reader):
            if not any(cell.strip() for cell in cells):
                continue  # blank line
            if len(cells) != len(columns):
                problems.append(
                    Problem(index, None, f"has {len(cells)} cells, the header has {len(columns)}")
                )
                continue
            row: dict[str, Any] = {}
            for column, cell in zip(columns, cells, strict=True):
                cell = cell.strip()
                if column == "time":
                    parsed_time = _parse_time(cell)
                    if parsed_time is None:
                        message, kind = _PYDANTIC_MESSAGES["timezone_aware"]
                        problems.append(Problem(index, "time", message, kind))
                    row["time"] = parsed_time
                elif cell:
                    try:
                        row[column] = _parse_number(cell)
                    except ValueError:
                        problems.append(
                            Problem(index, column, "must be a finite number", "type_error")
                        )
            rows.append(row)
            if len(problems) >= MAX_REPORTED_PROBLEMS:
                break
    except csv.Error as exc:
        raise MalformedBodyError(f"malformed CSV at line {reader.line_num}: {exc}") from exc
    if problems:
        raise InvalidRowsError(problems)
    return check_rows(rows, now)


def deduplicate(rows: list[Row]) -> list[Row]:
    """Keep the first row for each instant (the same time twice in one batch)."""
    seen: set[datetime] = set()
    unique: list[Row] = []
    for row in rows:
        if row[0] not in seen:
            seen.add(row[0])
            unique.append(row)
    return unique
