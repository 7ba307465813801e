"""Run the web app in a background thread while the main thread runs the engine: Ctrl-C
reaches the engine (main thread), and the web server is told to stop after it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from casework.domain.errors import ConfigurationError

START_TIMEOUT_SECONDS = 30.0


@contextmanager
def web_server_in_background(app: FastAPI, host: str, port: int) -> Iterator[str]:
    """Serve `app` on host:port until the block ends; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    # uvicorn installs signal handlers only in the main thread: this one leaves Ctrl-C alone
    thread = threading.Thread(target=server.run, name="casework-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not server.started:  # polling the server thread's start-up, not a legal deadline
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise ConfigurationError(
                f"the web server could not start on {host}:{port} (is the port taken? choose "
                "another with --web-port)"
            )
        time.sleep(0.05)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
