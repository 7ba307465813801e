"""`casework serve` serves the REST API as a real HTTP server, with a token from `casework
user token`: what a script author does after reading the README."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from tests.integration.test_delivery import free_port

pytestmark = pytest.mark.api

CASEWORK = [sys.executable, "-m", "casework"]


def _get(url: str, token: str | None = None) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_casework_api_serves_what_a_token_may_see(tmp_path: Path) -> None:
    env = {**os.environ, "CASEWORK_HOME": str(tmp_path)}
    env.pop("CASEWORK_DATABASE_URL", None)

    def cli(*args: str, stdin: str = "") -> str:
        done = subprocess.run(
            [*CASEWORK, *args], env=env, input=stdin, capture_output=True, text=True, check=True
        )
        return done.stdout

    cli("up", "--no-engine")
    admin = ("--by", "ubnd-quan-tri")  # the example organisation's administrator
    cli("user", "add", "tt-tiep-nhan", "--password", "một câu mật khẩu dài", *admin)
    token = cli("user", "token", "tt-tiep-nhan", "--label", "test", *admin).strip()
    port = free_port()
    server = subprocess.Popen(
        [*CASEWORK, "serve", "--web-port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):  # polling the child server's start-up, not a deadline
            try:
                status, spec = _get(f"{base}/api/openapi.json")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        else:
            pytest.fail("the API did not start")
        assert status == 200
        assert "/api/cases" in spec["paths"]  # type: ignore[operator]
        assert _get(f"{base}/api/me")[0] == 401
        assert _get(f"{base}/api/me", token) == (
            200,
            {"username": "tt-tiep-nhan", "agency": "thanh-tra-tinh", "roles": ["reception"]},
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
