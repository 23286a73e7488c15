"""Problem details (the error body every route answers with) and the OpenAPI error responses
routers share."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute
from pydantic import BaseModel, Field


class FieldProblem(BaseModel):
    loc: list[str | int] = Field(examples=[["body", "email"]])
    msg: str
    type: str


class ProblemDetail(BaseModel):
    detail: str | list[FieldProblem]


Responses = dict[int | str, dict[str, Any]]


def not_found(what: str) -> Responses:
    return {404: {"model": ProblemDetail, "description": f"No such {what}"}}


# FastAPI answers 400 when it cannot read a body at all (not UTF-8, nested too deeply).
MALFORMED_BODY: Responses = {
    400: {"model": ProblemDetail, "description": "The body could not be read (not UTF-8 JSON)"}
}
CONFLICT: Responses = {409: {"model": ProblemDetail, "description": "Conflicts with stored data"}}
INVALID: Responses = {
    422: {"model": ProblemDetail, "description": "A field is invalid; `loc` names it"}
}
# What every operation that takes a JSON body can answer besides its own responses.
BODY: Responses = {**MALFORMED_BODY, **INVALID}


def operation_id(route: APIRoute) -> str:
    """A route's OpenAPI operationId: its function's name in camelCase (``list_sites`` →
    ``listSites``), the names the generated front-end client calls."""
    first, *rest = route.name.split("_")
    return first + "".join(word[:1].upper() + word[1:] for word in rest)
