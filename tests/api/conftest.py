"""The API under test, on the app's database, with a clock the tests move."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.api.test_api import Clock

from casework.entrypoints.api.app import create_api
from casework.services.app import Casework


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(app: Casework, clock: Clock) -> Iterator[TestClient]:
    with TestClient(create_api(app, clock)) as client:
        yield client
