"""The FastAPI application: routers, problem+json errors, OpenAPI at /api/docs."""

from __future__ import annotations

from fastapi import FastAPI

from casework import __version__
from casework.entrypoints.api import problems
from casework.entrypoints.api.body_limit import BodyLimit
from casework.entrypoints.api.routes import audit, cases, dashboard, escalations, reference
from casework.entrypoints.api.state import Clock
from casework.services.app import Casework


def create_api(casework: Casework, clock: Clock) -> FastAPI:
    """The API over `casework`, reading the time from `clock`."""
    api = FastAPI(
        title="casework",
        version=__version__,
        description=(
            "Denunciations, complaints, petitions and letters on legal clocks. Authenticate "
            "with `Authorization: Bearer TOKEN` (`casework user token LOGIN`). Errors are "
            "problem+json: 401 not signed in, 403 a role or agency that may not, 404 unknown, "
            "409 a refused trigger (with the allowed ones) or a concurrent update, 422 invalid "
            "input (which field, what is allowed)."
        ),
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    api.state.casework = casework
    api.state.clock = clock
    problems.install(api)
    for router in (
        cases.router,
        escalations.router,
        reference.router,
        audit.router,
        dashboard.router,
    ):
        api.include_router(router, responses=problems.ANSWERS)
    api.add_middleware(BodyLimit, limit=casework.settings.max_request_bytes)
    return api
