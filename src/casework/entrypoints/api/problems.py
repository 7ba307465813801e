"""Errors as problem+json (RFC 9457): the status, a title, the message that says what to do,
and for a refused trigger the triggers allowed now."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException

from casework.domain.errors import (
    CaseworkError,
    ConcurrentUpdate,
    ConflictOfInterest,
    InvalidInput,
    NotAllowed,
    NotFound,
    NotSignedIn,
    TransitionRefused,
    VaultLocked,
)
from casework.domain.free_text import LINE, SUMMARY, check_text
from casework.entrypoints.api.fields import PATTERNS

PROBLEM = "application/problem+json"

STATUS: list[tuple[type[CaseworkError], int, str]] = [
    (NotSignedIn, 401, "Not signed in"),
    (NotAllowed, 403, "Not allowed"),
    (ConflictOfInterest, 403, "Conflict of interest"),
    (NotFound, 404, "Not found"),
    (TransitionRefused, 409, "Transition refused"),
    (ConcurrentUpdate, 409, "Changed by someone else"),
    (InvalidInput, 422, "Invalid input"),
    (VaultLocked, 503, "Identities locked"),
]


class Problem(BaseModel):
    """An error as problem+json (RFC 9457)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = Field(description="what was wrong, and what is allowed")


ANSWERS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": description, "content": {PROBLEM: {}}}
    for status, description in (
        (401, "not signed in: sign in, or send `Authorization: Bearer TOKEN`"),
        (403, "a role or agency that may not, or a conflict of interest"),
        (404, "no such case (or one that does not exist for you), or no such item"),
        (409, "a trigger the case refuses now (with the allowed ones), or a concurrent update"),
        (413, "a request body over CASEWORK_MAX_REQUEST_BYTES"),
        (422, "invalid input: which field, and what is allowed"),
    )
}
"""The answers every route of the API may give besides its own, declared in the OpenAPI
document so that a client knows them (issue 21)."""


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra},
        status_code=status,
        media_type=PROBLEM,
        headers=headers,
    )


async def casework_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CaseworkError)
    for kind, status, title in STATUS:
        if isinstance(exc, kind):
            extra = {"allowed_triggers": exc.allowed} if isinstance(exc, TransitionRefused) else {}
            return problem(status, title, str(exc), **extra)
    return problem(500, "Server configuration error", str(exc))


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": ".".join(str(p) for p in e["loc"] if p != "body"), "problem": _problem_of(e)}
        for e in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['problem']}" for e in errors)
    return problem(422, "Invalid input", detail, errors=errors)


def _problem_of(error: Any) -> str:
    """Pydantic's message, or for a text beyond the bounds of api/fields.py the services' own
    (domain/free_text.py): how long it is and what is kept, or which control character."""
    context, value = error.get("ctx") or {}, error.get("input")
    if error["type"] in ("string_too_long", "string_pattern_mismatch") and isinstance(value, str):
        multiline = PATTERNS.get(str(context.get("pattern")), False)
        limit = int(context.get("max_length", SUMMARY if multiline else LINE))
        label = f"the {str(error['loc'][-1]).replace('_', ' ')}"
        try:
            check_text(label, value, limit, multiline=multiline)
        except InvalidInput as refused:
            return str(refused)
    return str(error["msg"])


async def http_error(_request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's own refusals as problem+json too: an unknown address, a method the address does
    not take, and a body it could not even parse — bytes that are not UTF-8 —, which is invalid
    input like any malformed JSON (422, as the document declares), not a bare 400."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400:
        return problem(
            422, "Invalid input", "the request body could not be read: send JSON in UTF-8"
        )
    response = problem(exc.status_code, str(exc.detail), str(exc.detail))
    response.headers.update(exc.headers or {})
    return response


async def database_error(_request: Request, exc: Exception) -> JSONResponse:
    """A lost database connection (a restart, a failover) is worth a retry, not a 500: its
    transaction was rolled back by the server, and the pool reconnects on the next request."""
    assert isinstance(exc, DBAPIError)
    if not exc.connection_invalidated:
        raise exc
    response = problem(
        503,
        "Database unavailable",
        "the connection to the database was lost (a restart?); nothing of this request was "
        "written — try again in a moment",
    )
    response.headers["Retry-After"] = "1"
    return response


def install(api: FastAPI) -> None:
    api.add_exception_handler(CaseworkError, casework_error)
    api.add_exception_handler(RequestValidationError, validation_error)
    api.add_exception_handler(HTTPException, http_error)
    api.add_exception_handler(DBAPIError, database_error)
