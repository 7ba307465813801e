"""The FastAPI application: routers, problem+json errors, OpenAPI at /api/docs."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from casework import __version__
from casework.entrypoints.api import problems
from casework.entrypoints.api.body_limit import BodyLimit
from casework.entrypoints.api.routes import audit, cases, dashboard, escalations, outbox, reference
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
        docs_url=None,  # served below from packaged assets: it works offline
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    _offline_docs(api)
    api.state.casework = casework
    api.state.clock = clock
    problems.install(api)
    for router in (
        cases.router,
        escalations.router,
        reference.router,
        audit.router,
        dashboard.router,
        outbox.router,
    ):
        api.include_router(router, responses=problems.ANSWERS)
    api.add_middleware(BodyLimit, limit=casework.settings.max_request_bytes)
    _enumerate_kinds_and_states(api, casework)
    return api


def _enumerate_kinds_and_states(api: FastAPI, casework: Casework) -> None:
    """The OpenAPI document lists the kinds and states this installation's lifecycles define
    (they are data, `state_machines/`), where a route takes a `kind` or a `state`."""
    kinds = sorted(casework.definitions.lifecycles)
    states = sorted({s for lc in casework.definitions.lifecycles.values() for s in lc.states})
    enums = {"kind": kinds, "state": states}
    plain_openapi = api.openapi

    def openapi() -> dict[str, Any]:
        if api.openapi_schema:
            return api.openapi_schema
        schema = plain_openapi()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") == "query" and parameter["name"] in enums:
                        parameter["schema"] = {"type": "string", "enum": enums[parameter["name"]]}
        new_case = schema.get("components", {}).get("schemas", {}).get("NewCase", {})
        if "kind" in new_case.get("properties", {}):
            new_case["properties"]["kind"]["enum"] = kinds
        api.openapi_schema = schema
        return schema

    api.openapi = openapi  # type: ignore[method-assign]


DOCS_ASSETS = "/api/docs-assets"


def _offline_docs(api: FastAPI) -> None:
    """The OpenAPI page at /api/docs with Swagger UI from the fastapi-offline package, not a
    CDN: an agency's network may reach no CDN (issue 26)."""
    assets = files("fastapi_offline") / "static"
    api.mount(DOCS_ASSETS, StaticFiles(directory=str(assets)), name="docs-assets")

    @api.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="casework API",
            oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
        )

    @api.get("/docs/oauth2-redirect", include_in_schema=False)
    def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
