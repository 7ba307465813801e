"""Who is asking: an API token (`Authorization: Bearer …`) or a signed-in web session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from casework.domain.access import Principal
from casework.domain.errors import NotSignedIn
from casework.entrypoints.api.state import casework_of
from casework.services.users import principal_for, principal_for_token


def current_principal(request: Request) -> Principal:
    """The principal of the request, or 401 problem+json."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    app = casework_of(request)
    if scheme.lower() == "bearer" and token.strip():
        return principal_for_token(app, token)
    username = request.scope.get("session", {}).get("username")
    if username:
        return principal_for(app, str(username))
    raise NotSignedIn("sign in, or send an API token as `Authorization: Bearer TOKEN`")


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
