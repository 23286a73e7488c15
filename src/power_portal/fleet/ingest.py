"""Pure checks of a pushed batch: the body's shape, each item's rules, the per-customer rate.

An item that breaks the rules is counted as rejected and the rest of the batch is stored
(``service.receive_batch``). The customer comes from the token only: a ``customer_id`` in
an item is not allowed.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from power_portal.core.request_checks import MAX_ID
from power_portal.measurements.fields import FIELD_NAMES
from power_portal.measurements.parsing import EARLIEST, FUTURE_TOLERANCE, MAX_MAGNITUDE

# The client stack applied the 1-day "future" rule against its own clock when its
# meter sent the row; judged again by this stack's clock, a row of a client whose
# clock runs ahead would be rejected, and a rejected row is never pushed again.
# So allow for clocks that disagree; a year still keeps out garbage times.
CLOCK_SKEW_ALLOWANCE = timedelta(days=365)

# a measurement row: (device_id, time, *FIELD_NAMES)
MeasurementRow = tuple[Any, ...]
Item = TypeVar("Item", bound=BaseModel)


class MalformedBatchError(ValueError):
    """The body is not a JSON object ``{"items": [...]}``."""


@dataclass
class RateLimiter:
    """A token bucket per customer (in this process): ``per_minute`` batches, bursts allowed."""

    per_minute: int
    _buckets: dict[int, tuple[float, float]] = field(default_factory=dict)

    def retry_after(self, customer_id: int) -> int:
        """0 when a batch may go now (and takes a token), else seconds to wait."""
        rate = self.per_minute / 60.0
        now = time.monotonic()
        tokens, stamp = self._buckets.get(customer_id, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - stamp) * rate)
        if tokens >= 1:
            self._buckets[customer_id] = (tokens - 1, now)
            return 0
        self._buckets[customer_id] = (tokens, now)
        return max(1, math.ceil((1 - tokens) / rate))


def parse_items(body: bytes) -> list[Any]:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedBatchError(f"malformed JSON: {exc}") from exc
    except RecursionError as exc:
        raise MalformedBatchError("malformed JSON: nested too deeply") from exc
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise MalformedBatchError('the body must be a JSON object {"items": [...]}')
    items: list[Any] = document["items"]
    return items


def valid_items(items: list[Any], schema: type[Item]) -> list[Item]:
    """The items that pass ``schema`` (sites or devices); the others are rejected."""
    valid: list[Item] = []
    for item in items:
        try:
            valid.append(schema.model_validate(item))
        except ValidationError:
            continue
    return valid


def _finite(value: Any) -> bool:
    """A number within the ingest bounds (NaN, infinities and 10**400 are not)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE
    )


def measurement_row(item: Any, now: datetime) -> MeasurementRow | None:
    """A staging row for a valid item, or None (rejected). The rules of a measurement item:
    ``decoding`` reaches the same answer faster and sends here what it cannot decide."""
    if not isinstance(item, dict):
        return None
    device_id = item.get("device_id")
    if not isinstance(device_id, int) or isinstance(device_id, bool):
        return None
    if not 1 <= device_id <= MAX_ID:
        return None
    raw_time = item.get("time")
    if not isinstance(raw_time, str):
        return None
    try:
        moment = datetime.fromisoformat(raw_time)
    except ValueError:
        return None
    if moment.tzinfo is None or moment < EARLIEST:
        return None
    if moment > now + FUTURE_TOLERANCE + CLOCK_SKEW_ALLOWANCE:
        return None
    values: list[float | None] = []
    for name in FIELD_NAMES:
        value = item.get(name)
        if value is not None and not _finite(value):
            return None
        values.append(None if value is None else float(value))
    if all(v is None for v in values):
        return None
    unknown = set(item) - {"device_id", "time", "received_at", *FIELD_NAMES}
    if unknown:
        return None
    return (device_id, moment, *values)
