"""The field map: where each value of a gateway's telemetry message goes.

A field map is declarative: for each JSON path of the message (object keys
joined by dots, ``"v.a"``) the ingest field it feeds and a unit scale (the
value is multiplied by it: W → kW is 0.001), plus where the reading's time and
the gateway id are. The default map, for the Acuvim ESP32 gateway firmware,
ships as ``default_field_map.toml`` beside this module; an operator points
``PORTAL_MQTT__FIELD_MAP`` at a JSON or TOML file of the same shape to use
another.

Besides the mapped shape, every map also accepts our own flat ingest schema:
one row ``{"time": "2026-05-01T10:00:00+02:00", "power_kw": 12.5, ...}`` or a
batch ``{"measurements": [row, ...]}``.

Mapping is pure: a decoded JSON document in, rows (``time`` plus ingest
fields, values scaled) and the unknown keys out. Unknown keys never fail a
message; a value of the wrong type, a missing or impossible time does.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, ValidationError

from power_portal.measurements.fields import FIELD_NAMES

DEFAULT_FIELD_MAP_FILE = Path(__file__).with_name("default_field_map.toml")
TimeUnit = Literal["s", "ms", "rfc3339"]
TIME_UNIT_SECONDS: dict[str, float] = {"s": 1.0, "ms": 0.001}
FLAT_TIME = "time"
FLAT_BATCH = "measurements"
_FIELD_SET = frozenset(FIELD_NAMES)


class FieldMapError(ValueError):
    """A field map (file) is not usable; the message names the file and the entry."""


class MessageRejectedError(ValueError):
    """A message cannot become rows; ``reason`` is a short counter key, ``detail`` says why."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class FieldRule:
    """One mapped value: the message's ``path`` feeds ingest ``field``, times ``scale``."""

    path: str
    field: str
    scale: float = 1.0


class _Special(Enum):
    TIME = "time"
    DEVICE = "device"
    IGNORE = "ignore"


_Node: TypeAlias = "FieldRule | _Special | dict[str, _Node]"


@dataclass(frozen=True)
class MappedMessage:
    """What a message holds: rows (``time`` + ingest fields), its gateway id, unknown keys."""

    rows: list[dict[str, Any]]
    device: str | None
    unknown_keys: list[str]


@dataclass(frozen=True)
class FieldMap:
    rules: tuple[FieldRule, ...]
    time_path: str = "ts"
    time_unit: TimeUnit = "s"
    device_path: str | None = "dev"
    ignore: tuple[str, ...] = ()
    source: str = "default"
    _tree: dict[str, _Node] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        tree: dict[str, _Node] = {}
        seen_fields: dict[str, str] = {}
        for rule in self.rules:
            if rule.field not in _FIELD_SET:
                raise FieldMapError(
                    f"{self.source}: {rule.path!r} maps to unknown field {rule.field!r}; "
                    f"choose from {', '.join(FIELD_NAMES)}"
                )
            if not math.isfinite(rule.scale) or rule.scale == 0:
                raise FieldMapError(f"{self.source}: {rule.path!r} needs a finite, non-zero scale")
            if rule.field in seen_fields:
                raise FieldMapError(
                    f"{self.source}: {rule.field} is mapped twice "
                    f"({seen_fields[rule.field]!r} and {rule.path!r})"
                )
            seen_fields[rule.field] = rule.path
            _insert(tree, rule.path, rule, self.source)
        _insert(tree, self.time_path, _Special.TIME, self.source)
        if self.device_path is not None:
            _insert(tree, self.device_path, _Special.DEVICE, self.source)
        for path in self.ignore:
            _insert(tree, path, _Special.IGNORE, self.source)
        object.__setattr__(self, "_tree", tree)

    @property
    def time_key(self) -> str:
        """The top-level key that tells a mapped message from a flat one."""
        return self.time_path.split(".", 1)[0]

    def map(self, document: object) -> MappedMessage:
        """The rows a decoded JSON message holds (mapped, flat, a batch, or a list of them)."""
        if isinstance(document, list):
            return self._map_list(document)
        if not isinstance(document, dict):
            raise MessageRejectedError("not_an_object", "the message must be a JSON object")
        if FLAT_BATCH in document and self.time_key not in document:
            return self._map_flat_batch(document)
        if self.time_key in document:
            return self._map_one(document)
        if FLAT_TIME in document:
            return self._map_flat(document, "")
        raise MessageRejectedError(
            "no_time", f"the message has neither {self.time_path!r} nor {FLAT_TIME!r}"
        )

    # ------------------------------------------------------------ shapes

    def _map_list(self, items: list[Any]) -> MappedMessage:
        rows: list[dict[str, Any]] = []
        unknown: list[str] = []
        device: str | None = None
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise MessageRejectedError("not_an_object", f"item {index} must be a JSON object")
            mapped = self._map_one(item) if self.time_key in item else self._map_flat(item, "")
            device = _same_device(device, mapped.device)
            rows += mapped.rows
            unknown += [k for k in mapped.unknown_keys if k not in unknown]
        return MappedMessage(rows, device, unknown)

    def _map_flat_batch(self, document: dict[str, Any]) -> MappedMessage:
        items = document[FLAT_BATCH]
        if not isinstance(items, list):
            raise MessageRejectedError("bad_value", f"{FLAT_BATCH} must be a list of readings")
        device = self._flat_device(document)
        unknown = [
            key
            for key in document
            if key != FLAT_BATCH and key != self.device_path and not self._ignored(key)
        ]
        rows: list[dict[str, Any]] = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise MessageRejectedError(
                    "not_an_object", f"{FLAT_BATCH}[{index}] must be a JSON object"
                )
            mapped = self._map_flat(item, f"{FLAT_BATCH}[{index}].")
            device = _same_device(device, mapped.device)
            rows += mapped.rows
            unknown += [k for k in mapped.unknown_keys if k not in unknown]
        return MappedMessage(rows, device, unknown)

    def _map_flat(self, document: dict[str, Any], where: str) -> MappedMessage:
        row: dict[str, Any] = {}
        unknown: list[str] = []
        for key, value in document.items():
            if key == FLAT_TIME:
                row["time"] = _rfc3339(value, where + key)
            elif key in _FIELD_SET:
                number = _number(value, where, key)
                if number is not None:
                    row[key] = number
            elif key == self.device_path or self._ignored(key):
                continue
            else:
                unknown.append(key)
        if "time" not in row:
            raise MessageRejectedError("no_time", f"{where}time is required")
        return MappedMessage([row], self._flat_device(document), unknown)

    def _map_one(self, document: dict[str, Any]) -> MappedMessage:
        row: dict[str, Any] = {}
        unknown: list[str] = []
        found: dict[_Special, Any] = {}
        _walk(document, self._tree, "", row, unknown, found)
        raw_time = found.get(_Special.TIME)
        if raw_time is None:
            raise MessageRejectedError("no_time", f"{self.time_path} is required")
        if self.time_unit == "rfc3339":
            row["time"] = _rfc3339(raw_time, self.time_path)
        else:
            row["time"] = _unix(raw_time, TIME_UNIT_SECONDS[self.time_unit], self.time_path)
        device = found.get(_Special.DEVICE)
        if device is not None and not isinstance(device, str):
            raise MessageRejectedError("bad_value", f"{self.device_path} must be a string")
        return MappedMessage([row], device, unknown)

    # ------------------------------------------------------------ helpers

    def _ignored(self, key: str) -> bool:
        return self._tree.get(key) is _Special.IGNORE

    def _flat_device(self, document: dict[str, Any]) -> str | None:
        if self.device_path is None or "." in self.device_path:
            return None
        device = document.get(self.device_path)
        if device is not None and not isinstance(device, str):
            raise MessageRejectedError("bad_value", f"{self.device_path} must be a string")
        return device


def _insert(tree: dict[str, _Node], path: str, node: FieldRule | _Special, source: str) -> None:
    parts = path.split(".")
    if not path or any(not part for part in parts):
        raise FieldMapError(f"{source}: {path!r} is not a path like 'v.a'")
    level = tree
    for depth, part in enumerate(parts[:-1]):
        child = level.setdefault(part, {})
        if not isinstance(child, dict):
            taken = ".".join(parts[: depth + 1])
            raise FieldMapError(f"{source}: {path!r} goes inside {taken!r}, which is a value")
        level = child
    if parts[-1] in level:
        raise FieldMapError(f"{source}: {path!r} is mapped twice, or is a group of other paths")
    level[parts[-1]] = node


def _walk(
    document: dict[str, Any],
    tree: dict[str, _Node],
    prefix: str,
    row: dict[str, Any],
    unknown: list[str],
    found: dict[_Special, Any],
) -> None:
    for key, value in document.items():
        node = tree.get(key)
        if node is None:
            unknown.append(prefix + key)
        elif type(node) is FieldRule:
            number = _number(value, prefix, key)
            if number is not None:
                row[node.field] = number if node.scale == 1.0 else number * node.scale
        elif type(node) is dict:
            if type(value) is dict:
                _walk(value, node, f"{prefix}{key}.", row, unknown, found)
            elif value is not None:
                raise MessageRejectedError("bad_value", f"{prefix}{key} must be an object")
        elif node is not _Special.IGNORE:
            found[node] = value  # type: ignore[index]


def _number(value: object, prefix: str, key: str) -> float | None:
    """A field's value as a float (None: absent); refused, naming ``prefix + key``, when it
    is not a finite number. The name is built only for a refusal: this runs per field."""
    kind = type(value)
    if kind is float:
        if not math.isfinite(value):  # type: ignore[arg-type]
            raise MessageRejectedError("bad_value", f"{prefix}{key} must be a finite number")
        return value  # type: ignore[return-value]
    if kind is int:
        return float(value)  # type: ignore[arg-type]
    if value is None:
        return None
    raise MessageRejectedError("bad_value", f"{prefix}{key} must be a number")


def _unix(value: object, unit: float, where: str) -> datetime:
    if type(value) not in (int, float):
        raise MessageRejectedError("bad_time", f"{where} must be a number (Unix time)")
    try:
        return datetime.fromtimestamp(value * unit, UTC)  # type: ignore[operator]
    except (OverflowError, OSError, ValueError) as exc:
        raise MessageRejectedError("bad_time", f"{where} is not a possible time") from exc


def _rfc3339(value: object, where: str) -> datetime:
    if not isinstance(value, str):
        raise MessageRejectedError("bad_time", f"{where} must be an RFC 3339 time string")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise MessageRejectedError(
            "bad_time", f"{where} must be an RFC 3339 time like 2026-05-01T10:00:00+02:00"
        ) from exc
    if moment.tzinfo is None:
        raise MessageRejectedError("bad_time", f"{where} needs an offset, like +02:00 or Z")
    return moment


def _same_device(known: str | None, seen: str | None) -> str | None:
    if known is not None and seen is not None and known != seen:
        raise MessageRejectedError("wrong_device", "the readings name different gateways")
    return known if known is not None else seen


# ---------------------------------------------------------------- loading


class _ScaledField(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str
    scale: float = 1.0


class FieldMapDocument(BaseModel):
    """The shape of a field map file (JSON or TOML)."""

    model_config = ConfigDict(extra="forbid")

    time: str = "ts"
    time_unit: TimeUnit = "s"
    device: str | None = "dev"
    ignore: list[str] = []
    fields: dict[str, str | _ScaledField]


def field_map_from_document(document: Mapping[str, Any], source: str) -> FieldMap:
    try:
        parsed = FieldMapDocument.model_validate(document)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "the document"
        raise FieldMapError(f"{source}: {where}: {first['msg']}") from exc
    rules = tuple(
        FieldRule(path, spec) if isinstance(spec, str) else FieldRule(path, spec.field, spec.scale)
        for path, spec in parsed.fields.items()
    )
    return FieldMap(
        rules=rules,
        time_path=parsed.time,
        time_unit=parsed.time_unit,
        device_path=parsed.device or None,
        ignore=tuple(parsed.ignore),
        source=source,
    )


def load_field_map(path: Path | None = None) -> FieldMap:
    """The field map in ``path`` (``.toml`` or ``.json``), or the default one."""
    chosen = path or DEFAULT_FIELD_MAP_FILE
    source = "default" if path is None else str(path)
    try:
        raw = chosen.read_bytes()
    except OSError as exc:
        raise FieldMapError(f"{source}: cannot read the field map: {exc.strerror}") from exc
    try:
        if chosen.suffix.lower() == ".toml":
            document = tomllib.loads(raw.decode("utf-8"))
        elif chosen.suffix.lower() == ".json":
            document = json.loads(raw)
        else:
            raise FieldMapError(f"{source}: a field map must be a .toml or .json file")
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FieldMapError(f"{source}: not valid {chosen.suffix[1:].upper()}: {exc}") from exc
    if not isinstance(document, dict):
        raise FieldMapError(f"{source}: the field map must be an object/table")
    return field_map_from_document(document, source)
