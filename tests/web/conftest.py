"""The web UI's test client: the app with logins for reception, a handler of the provincial
inspectorate and one of the Sở TNMT, on a clock the tests move. A module that needs other
logins or settings declares its own `web`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.api.test_api import PASSWORD, Clock
from tests.conftest import at

from casework.entrypoints.web.app import create_app
from casework.services.app import Casework
from casework.services.users import add_user


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def web(app: Casework, clock: Clock) -> Iterator[TestClient]:
    for login in ("tt-tiep-nhan", "tt-xac-minh-1", "tnmt-xac-minh"):
        add_user(app, login, PASSWORD, at("2024-01-02"))
    with TestClient(create_app(app, clock)) as client:
        yield client
