"""What every domain's schemas share: the request bodies' base, names, IANA time zones."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from power_portal.core.request_checks import StorableText


class RequestBody(BaseModel):
    """The base of every request body, in every domain: a field the schema does not name is
    refused, never silently dropped (422 naming it: ``loc`` ``["body", "<field>"]``, type
    ``extra_forbidden``). Read models stay plain ``BaseModel``."""

    model_config = ConfigDict(extra="forbid")


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _known_timezone(value: str) -> str:
    if value not in _zones():
        raise ValueError(f"unknown time zone {value!r}: use an IANA name like Africa/Johannesburg")
    return value


Timezone = Annotated[str, AfterValidator(_known_timezone)]

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), StorableText
]
