"""Who is asking: an API token (`Authorization: Bearer …`) or a signed-in web session."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from casework.domain.access import Principal
from casework.domain.errors import NotAllowed, NotSignedIn
from casework.entrypoints.api.state import casework_of, now_of
from casework.services.users import principal_for_session, principal_for_token
from casework.services.web_sessions import COOKIE_KEY

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def current_principal(request: Request) -> Principal:
    """The principal of the request, or 401 problem+json."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    app = casework_of(request)
    if scheme.lower() == "bearer" and token.strip():
        return principal_for_token(app, token, now_of(request))
    session = request.scope.get("session", {})
    session_id = session.get(COOKIE_KEY)
    if session_id:
        # a browser session may call the API, but a change must prove it came from our pages
        # (a cross-site form cannot set this header)
        if request.method not in SAFE_METHODS and not hmac.compare_digest(
            str(session.get("csrf", "")), request.headers.get("x-csrf-token", "") or "-"
        ):
            raise NotAllowed("send the page's CSRF token as X-CSRF-Token, or use an API token")
        return principal_for_session(app, str(session_id), now_of(request))
    raise NotSignedIn("sign in, or send an API token as `Authorization: Bearer TOKEN`")


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
