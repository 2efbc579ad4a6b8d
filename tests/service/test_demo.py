"""`zhifa demo` deploys bpmn/, creates one user per role and sample cases in varied states."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from service import create_app
from service.cli import main
from tests.web.conftest import signed_in_client


@pytest.fixture
def demo_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "DEMO_MODE": True,
            "SECRET_KEY": "demo-test",
            "DATABASE_URL": database_url,
            "ATTACHMENT_DIR": str(tmp_path / "attachments"),
        }
    )
    yield app
    app.extensions["zhifa.engine"].dispose()


def _login(app: Flask, username: str) -> dict[str, str]:
    response = app.test_client().post("/api/v1/auth/token", json={"username": username, "password": username})
    assert response.status_code == 201, (username, response.json)
    return {"Authorization": f"Bearer {response.json['token']}"}


def test_demo_creates_users_processes_and_cases_in_varied_states(demo_app: Flask) -> None:
    result = demo_app.test_cli_runner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    assert "demo logins (password = username)" in result.output
    client = demo_app.test_client()
    for username in ("officer1", "officer2", "squad_leader", "auditor", "process_owner", "hotline_liaison"):
        _login(demo_app, username)
    auditor = _login(demo_app, "auditor")
    keys = {d["key"] for d in client.get("/api/v1/process-definitions", headers=auditor).json["items"]}
    assert {"complaint_handling", "enforcement_publicity", "major_decision_review"} <= keys
    cases: Any = client.get("/api/v1/process-instances?per_page=200", headers=auditor).json["items"]
    assert len(cases) >= 5
    stages = {(c["status"], c["stage"]) for c in cases}
    assert len(stages) >= 3, stages
    # The sample load-bearing cases get past the steps that ask for evidence photos (real images).
    load_bearing = {c["stage"] for c in cases if c["process_key"] == "load_bearing_case"}
    assert len(load_bearing) >= 2, load_bearing
    assert client.get("/api/v1/audit/verify", headers=auditor).json["ok"] is True
    # Every sample case page renders; a task repeated by a review loop shows its latest round with the
    # earlier rounds folded under it, not one block per round.
    pages = signed_in_client(demo_app, "auditor")
    looped = 0
    for case in cases:
        page = pages.get(f"/cases/{case['id']}")
        assert page.status_code == 200, case["id"]
        html = page.get_data(as_text=True)
        looped += "zf-earlier-rounds" in html
        assert html.count('class="zf-earlier-rounds"') <= len(
            set(re.findall(r'href="#event-\d+">([^<]+)</a>', html))
        )
    assert looped >= 1
    again = demo_app.test_cli_runner().invoke(main, ["demo"])
    assert "sample cases already present" in again.output


def test_demo_refuses_to_run_outside_demo_mode(app: Flask) -> None:
    result = app.test_cli_runner().invoke(main, ["demo"])
    assert result.exit_code != 0
    assert "ZHIFA_DEMO_MODE" in str(result.exception)
