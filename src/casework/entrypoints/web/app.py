"""One ASGI application: the web UI at /, the REST API at /api, signed session cookies that
carry a server-side session's identifier."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from casework.domain.errors import CaseworkError
from casework.entrypoints.api.app import create_api
from casework.entrypoints.api.problems import casework_error, validation_error
from casework.entrypoints.api.state import Clock
from casework.entrypoints.web import alerts_page, case_list_page, dashboard_page, pages
from casework.entrypoints.web.pages import error_page
from casework.entrypoints.web.session import SignInRequired
from casework.services.app import Casework

# the pages are served whole by this app: nothing from elsewhere, no framing
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def create_app(casework: Casework, clock: Clock) -> FastAPI:
    """The web UI and the API over `casework`, reading the time from `clock`."""
    app = create_api(casework, clock)
    app.include_router(case_list_page.router)
    app.include_router(pages.router)
    app.include_router(dashboard_page.router)
    app.include_router(alerts_page.router)
    app.add_middleware(
        SessionMiddleware,
        secret_key=casework.settings.resolved_secret_key(),
        session_cookie="casework_session",
        # the session itself ends server-side (services/web_sessions.py); the cookie need not
        # outlive it
        max_age=casework.settings.session_max_hours * 3600,
        same_site="lax",
        https_only=casework.settings.cookie_secure,
    )

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith("/api"):  # the OpenAPI page loads its own assets
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    @app.exception_handler(SignInRequired)
    async def to_login(request: Request, _exc: Exception) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, exc: Exception) -> Response:
        """A page's malformed address (a non-numeric party number): a page, not JSON."""
        problem = await validation_error(request, exc)
        if request.url.path.startswith("/api"):
            return problem
        return error_page(request, problem.status_code, None, address=True)

    @app.exception_handler(CaseworkError)
    async def refused(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/api"):
            return await casework_error(request, exc)
        problem = await casework_error(request, exc)
        assert isinstance(exc, CaseworkError)
        return error_page(request, problem.status_code, exc)

    @app.exception_handler(StarletteHTTPException)
    async def no_such_page(request: Request, exc: Exception) -> Response:
        """An address the site does not have: a page in the reader's language, not JSON."""
        assert isinstance(exc, StarletteHTTPException)
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return error_page(request, exc.status_code, None)

    return app
