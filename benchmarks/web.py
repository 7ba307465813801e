"""Benchmark the web UI and API pages with many cases: the case list ("my cases" for a
handler, every case of the agency for its head), the dashboard when present, and the API list.

    .venv/bin/python benchmarks/web.py                      # SQLite, 100,000 open cases
    .venv/bin/python benchmarks/web.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Fills a fresh database as benchmarks/core.py does, signs in through the login form, then
times each page over repeated requests in-process (no network), and prints JSON with the
median and 95th percentile in milliseconds. Target (issue 5): under 100 ms at 100,000 cases.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent))

from casework.entrypoints.web.app import create_app
from casework.services.users import add_user
from core import NOW, fill, fresh_app, scratch_postgres

PASSWORD = "benchmark password"


def signed_in(app: Any, login: str) -> TestClient:
    client = TestClient(create_app(app, lambda: NOW))
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    client.post(
        "/login", data={"username": login, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    return client


def timed(client: TestClient, path: str, runs: int) -> dict[str, float] | None:
    first = client.get(path)
    if first.status_code == 404:
        return None
    assert first.status_code == 200, (path, first.status_code, first.text[:300])
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = fresh_app(args.database_url, Path(folder))
        fill(app, args.cases, 0.01)
        for login in ("tt-xac-minh-1", "tt-chanh-thanh-tra"):
            add_user(app, login, PASSWORD, NOW)
        handler, head = signed_in(app, "tt-xac-minh-1"), signed_in(app, "tt-chanh-thanh-tra")
        pages = {
            "my_cases_handler": timed(handler, "/cases", args.runs),
            "case_list_head": timed(head, "/cases", args.runs),
            "dashboard_head": timed(head, "/dashboard", args.runs),
            "api_cases_overdue": timed(head, "/api/cases?overdue=true&limit=50", args.runs),
        }
        result = {
            "database": app.database.dialect.name,
            "open_cases": args.cases,
            "runs": args.runs,
            "pages": {name: figures for name, figures in pages.items() if figures is not None},
            "target_ms": 100,
        }
        app.database.dispose()
        if args.database_url and args.database_url.startswith("postgresql"):
            scratch_postgres(args.database_url, drop=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
