"""Benchmark every page of the web UI, and the API's list, with many cases.

    .venv/bin/python benchmarks/web.py                      # SQLite, 100,000 open cases
    .venv/bin/python benchmarks/web.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Fills a fresh database as benchmarks/core.py does (100,000 open cases, a tenth of a percent
with a step due), logs a few real cases through intake (a denunciation, a complaint, a
petition, a letter classified into a case) so that case pages have their history, runs the
deadline sweep so that the alerts exist, signs reception, a handler and the head in through
the login form, then times each page over repeated requests in-process (no network) and
prints JSON with the median and the 95th percentile in milliseconds. Target (issues 26, 27):
every page — searches and filtered lists included — under 100 ms at 100,000 cases, on both
stores.
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent))

from casework.entrypoints.web.app import create_app
from casework.services.advance import AdvanceCase, advance_case
from casework.services.app import bootstrap
from casework.services.assignment import assign_case
from casework.services.complaint_intake import ComplaintFacts
from casework.services.intake import Denouncer, LogCase, log_case
from casework.services.sweep import sweep
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


def timed(client: TestClient, path: str, runs: int) -> dict[str, float]:
    """Median and 95th percentile of `runs` requests for `path` (after one to warm up); a
    missing case is timed as the 404 page it is."""
    expected = 404 if "1999" in path else 200
    first = client.get(path)
    assert first.status_code == expected, (path, first.status_code, first.text[:300])
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == expected
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 1),
    }


def real_cases(app: Any) -> dict[str, str]:
    """A case of each kind logged as reception logs it, with a step taken on the denunciation:
    the case pages, receipts and the letter's classification have something to show."""
    today = NOW.date()
    sender = Denouncer("Phạm Thị Hoa", "Vinh, Nghệ An")
    logged = {}
    for kind, extra in (
        ("denunciation", {"denounced_name": "Lê Văn Cường"}),
        (
            "complaint",
            {
                "denounced_name": "Chủ tịch UBND xã Hưng Lộc",
                "complaint": ComplaintFacts(
                    decision_known_on=today, contested_decision="Quyết định 15/QĐ-UBND"
                ),
            },
        ),
        ("petition", {}),
        ("letter", {}),
    ):
        logged[kind] = log_case(
            app,
            LogCase(
                kind=kind,
                agency="thanh-tra-tinh",
                received_on=today,
                summary=f"Đơn {kind} để đo trang",
                denouncer=sender,
                logged_by="tt-tiep-nhan",
                **extra,
            ),
            NOW,
        ).ref
    assign_case(app, logged["denunciation"], "tt-xac-minh-1", "tt-chanh-thanh-tra", "", NOW)
    advance_case(
        app,
        AdvanceCase(logged["denunciation"], "triage", on=today, actor="tt-xac-minh-1"),
        NOW,
    )
    return logged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = fresh_app(args.database_url, Path(folder))
        fill(app, args.cases, 0.001)
        logged = real_cases(app)
        sweep(app, NOW)
        for login in ("tt-tiep-nhan", "tt-xac-minh-1", "tt-chanh-thanh-tra"):
            add_user(app, login, PASSWORD, NOW)
        # the pages are served as a server started on the filled database serves them: with
        # connections of its own (those of the bulk load held its plans and cache), and without
        # the objects the filling left for the collector to walk
        app.database.dispose()
        app = bootstrap(app.settings)
        gc.collect()
        anonymous = TestClient(create_app(app, lambda: NOW))
        reception = signed_in(app, "tt-tiep-nhan")
        handler = signed_in(app, "tt-xac-minh-1")
        head = signed_in(app, "tt-chanh-thanh-tra")
        case, letter = logged["denunciation"], logged["letter"]
        wanted: dict[str, tuple[TestClient, str]] = {
            "sign_in": (anonymous, "/login"),
            "intake_form": (reception, "/cases/new"),
            "classify_form": (reception, f"/cases/new?from_letter={letter}&kind=petition"),
            "receipt": (reception, f"/cases/{case}/receipt"),
            "letter_page": (reception, f"/cases/{letter}"),
            "my_cases_handler": (handler, "/cases"),
            "case_page_handler": (handler, f"/cases/{case}"),
            "alerts_handler": (handler, "/alerts"),
            "password_form": (handler, "/account/password"),
            "case_list_head": (head, "/cases"),
            "overdue_list_head": (head, "/cases?agency=thanh-tra-tinh&overdue=1"),
            "due_soon_list_head": (head, "/cases?due_within=5"),
            "unassigned_queue_head": (head, "/cases?unassigned=1"),
            "next_page_head": (head, "/cases?offset=50000"),
            "case_page_head": (head, f"/cases/{case}"),
            "complaint_page_head": (head, f"/cases/{logged['complaint']}"),
            "dashboard_head": (head, "/dashboard"),
            "alerts_head": (head, "/alerts"),
            "all_alerts_head": (head, "/alerts?all=1"),
            "missing_case_head": (head, "/cases/TC-1999-999999"),
            "api_cases_overdue": (head, "/api/cases?overdue=true&limit=50"),
            # finding cases (issue 27): names typed without diacritics, part of a summary, a
            # reference's number, the sender (head only), a search that finds nothing
            "search_name_head": (head, "/cases?tab=open&q=nguyen+van+an"),
            "search_name_handler": (handler, "/cases?tab=open&q=le+thi+hoa"),
            "search_summary_handler": (handler, "/cases?tab=open&q=giai+phong+mat+bang"),
            "search_reference_head": (head, "/cases?tab=open&q=012345"),
            "search_sender_head": (head, "/cases?tab=open&q=pham+thi+hoa"),
            "search_nothing_head": (head, "/cases?tab=open&q=khong+ai+ca"),
            "search_short_words_head": (head, "/cases?tab=open&q=le+an"),
            "filtered_clock_unit_head": (
                head,
                "/cases?tab=overdue&agency=thanh-tra-tinh&clock=denunciation.resolve",
            ),
            "filtered_received_newest_head": (
                head,
                f"/cases?tab=open&received_from={(NOW.date() - timedelta(days=2)):%d/%m/%Y}"
                "&sort=newest",
            ),
            "filtered_kind_state_handler": (
                handler,
                "/cases?tab=open&kind=denunciation&state=inspection&sort=oldest",
            ),
            "closed_tab_head": (head, "/cases?tab=closed"),
            "api_search_head": (head, "/api/cases?q=tran+minh+long&limit=50"),
        }
        pages = {name: timed(client, path, args.runs) for name, (client, path) in wanted.items()}
        slowest = max(pages.items(), key=lambda item: item[1]["median_ms"])
        result = {
            "database": app.database.dialect.name,
            "open_cases": args.cases,
            "runs": args.runs,
            "pages": pages,
            "slowest": {"page": slowest[0], **slowest[1]},
            "target_ms": 100,
            "all_under_target": all(f["median_ms"] < 100 for f in pages.values()),
        }
        app.database.dispose()
        if args.database_url and args.database_url.startswith("postgresql"):
            scratch_postgres(args.database_url, drop=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
