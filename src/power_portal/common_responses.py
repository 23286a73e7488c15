"""OpenAPI descriptions of the error responses routers share."""

from __future__ import annotations

from typing import Any

from power_portal.users.schemas import ProblemDetail

Responses = dict[int | str, dict[str, Any]]


def not_found(what: str) -> Responses:
    return {404: {"model": ProblemDetail, "description": f"No such {what}"}}


CONFLICT: Responses = {409: {"model": ProblemDetail, "description": "Conflicts with stored data"}}
INVALID: Responses = {
    422: {"model": ProblemDetail, "description": "A field is invalid; `loc` names it"}
}
