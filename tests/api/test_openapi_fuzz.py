"""The REST API against its own OpenAPI document, with schemathesis in-process: for every
operation, requests made from the document — valid ones and ones breaking it (numbers out of
range, strings too long, wrong types, malformed bodies) — by a signed-in head, on a database with
cases in it. No answer may be a server error, and every status code must be one the document
declares, with a body of the shape it describes. The run is seeded and bounded in examples, so it is the same run every time, and it
has no deadline: it checks answers, not speed."""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)
from tests.api.test_api import Clock, issue_tokens
from tests.conftest import at

from casework.entrypoints.api.app import create_api
from casework.services.app import Casework
from casework.services.intake import Denouncer, LogCase, log_case

pytestmark = pytest.mark.api

SEED = 20261207
EXAMPLES = int(os.environ.get("CASEWORK_FUZZ_EXAMPLES", "30"))
"""Examples per operation and generation mode: enough to reach each field's limits. A longer
exploration: CASEWORK_FUZZ_EXAMPLES=500 python -m pytest tests/api/test_openapi_fuzz.py"""
READER = "tt-chanh-thanh-tra"  # head and supervisor: may read and act on most of the API


@pytest.fixture
def token(app: Casework) -> str:
    return issue_tokens(app, [READER])[READER]


@pytest.fixture
def api_schema(app: Casework) -> Any:
    """The API's own OpenAPI document, loaded by schemathesis from the app in-process, on a
    database holding two cases (so that some generated references exist)."""
    for day in ("2024-01-03", "2024-01-04"):
        log_case(
            app,
            LogCase(
                kind="denunciation",
                agency="thanh-tra-tinh",
                received_on=at(day).date(),
                summary="Cán bộ thu tiền trái quy định",
                denouncer=Denouncer("Phạm Thị Hoa"),
                denounced_name="Lê Văn Cường",
                logged_by="tt-tiep-nhan",
            ),
            at(day),
        )
    config = schemathesis.Config.from_dict({"seed": SEED})
    return schemathesis.openapi.from_asgi(
        "/api/openapi.json", create_api(app, Clock()), config=config
    )


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_is_a_server_error_or_an_undeclared_answer(
    api_schema: Any, token: str, mode: GenerationMode
) -> None:
    # every answer is one the document declares, shaped as it describes (issue 23)
    checks = [not_a_server_error, status_code_conformance, response_schema_conformance]
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20, "the document lists the API's operations"
    failed: dict[str, str] = {}
    unbreakable: list[str] = []
    sent = 0
    for operation in operations:

        @given(case=operation.as_strategy(mode))
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,  # the same examples on every run
            deadline=None,  # answers are checked here, not timed
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def each_request(case: Any) -> None:
            nonlocal sent
            sent += 1
            case.call_and_validate(headers=headers, checks=checks)

        try:
            each_request()
        except Unsatisfiable:
            # nothing of the operation can be broken (no parameters, or only a path whose
            # every wrong form is another address): the positive run covers it
            assert mode is GenerationMode.NEGATIVE, operation.label
            unbreakable.append(operation.label)
        except (Exception, BaseExceptionGroup) as failure:  # gathered, reported together
            failed[operation.label] = str(failure)[:2000]
    assert not failed, "\n\n".join(f"{label}:\n{why}" for label, why in failed.items())
    assert len(unbreakable) < len(operations) / 2, unbreakable  # most are broken in many ways
    assert sent >= 5 * len(operations), sent  # requests were made, and many
