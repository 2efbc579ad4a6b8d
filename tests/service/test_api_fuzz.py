"""A bounded property-based run over the OpenAPI document: no 5xx, no answer the document does not allow.

Deterministic (derandomized Hypothesis), a few dozen examples per operation, each sent with the
token of the next demo role in turn, against a database holding the acceptance processes and a
running case. The document is the one the service serves at /api/v1/openapi.json.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import DATA, ROLE_USERS, Api, deploy_dir, empty_database, make_test_app

EXAMPLES_PER_OPERATION = 40
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fuzz_app(request: pytest.FixtureRequest, tmp_path: Path, postgres_url: str | None) -> Iterator[Any]:
    from service.migrate import upgrade_database

    if request.param == "postgres" and postgres_url is None:
        pytest.skip("PostgreSQL is not reachable: PostgreSQL part skipped")
    url = postgres_url if request.param == "postgres" else f"sqlite:///{tmp_path / 'zhifa.sqlite3'}"
    assert url is not None
    if request.param == "sqlite":
        upgrade_database(url)
    app = make_test_app(url, tmp_path, FORMS_DIR=str(DATA / "acceptance" / "forms"))
    client = app.test_client()
    tokens = {}
    for username in ROLE_USERS:
        response = client.post("/api/v1/auth/token", json={"username": username, "password": username})
        tokens[username] = response.json["token"]
    owner = Api(client, tokens["process_owner"])
    assert deploy_dir(owner, DATA / "acceptance").status_code == 201
    officer = Api(client, tokens["officer1"])
    started = officer.post("/process-instances", json={"process_key": "case_flow", "data": {}})
    assert started.status_code == 201
    app.config["FUZZ_TOKENS"] = itertools.cycle(tokens.values())
    app.config["FUZZ_IDS"] = {
        "instance_id": started.json["id"],
        "task_id": started.json["tasks"][0]["id"],
        "key": "case_flow",
    }
    yield app
    app.extensions["zhifa.engine"].dispose()
    if request.param == "postgres":
        empty_database(url)


def _cases(operation: Any, real_ids: dict[str, Any]) -> Any:
    """Valid and invalid requests, and valid ones aimed at the case and task that exist."""
    wanted = {p.name for p in operation.path_parameters}
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    if wanted:
        real = {name: value for name, value in real_ids.items() if name in wanted}
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real))
    return st.one_of(strategies)


def test_the_api_answers_every_generated_request_as_documented(fuzz_app: Any) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)
    failures: dict[str, str] = {}
    # Cancelling the case ends its tasks: run it last, so the task operations meet a live task.
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()), key=lambda op: op.path.endswith("/cancel")
    )
    assert len(operations) >= 20
    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=_cases(operation, fuzz_app.config["FUZZ_IDS"]))
        def check(case: Any) -> None:
            token = next(fuzz_app.config["FUZZ_TOKENS"])
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # noqa: BLE001  (collect every operation's failure, then report them all)
            failures[operation.label] = str(exc)[:1500]
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
