"""The web app runs in a background thread beside the engine and stops when told."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

import pytest
from tests.conftest import at
from tests.integration.test_delivery import free_port

from casework.domain.errors import ConfigurationError
from casework.entrypoints.web.app import create_app
from casework.entrypoints.web_server import web_server_in_background
from casework.services.app import Casework

pytestmark = pytest.mark.api


def test_serves_then_stops(sqlite_app: Casework) -> None:
    port = free_port()
    app = create_app(sqlite_app, lambda: at("2024-02-01"))
    with (
        web_server_in_background(app, "127.0.0.1", port) as url,
        urllib.request.urlopen(f"{url}/login", timeout=5) as page,
    ):
        assert page.status == 200
        assert "Đăng nhập" in page.read().decode()
    with pytest.raises(urllib.error.URLError):  # stopped: nobody answers any more
        urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2)


# the server thread dies of the bind error, which is the point
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_taken_port_is_a_clear_error(sqlite_app: Casework) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        app = create_app(sqlite_app, lambda: at("2024-02-01"))
        with (
            pytest.raises(ConfigurationError, match="is the port taken"),
            web_server_in_background(app, "127.0.0.1", port),
        ):
            pass
