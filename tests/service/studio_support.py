"""Shared by the studio tests: the bureau's diagrams deployed through the API, and one changed DMN cell."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import Api, make_test_app

BUREAU = Path(__file__).parents[2] / "bpmn"
DMN = "complaint_time_limits.dmn"


@pytest.fixture
def bureau_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The service with the bureau's own forms (deploy bpmn/ to get its diagrams)."""
    app = make_test_app(database_url, tmp_path)
    yield app
    app.extensions["zhifa.engine"].dispose()


def deploy_text(owner: Any, name: str, text: str) -> Any:
    files = [(io.BytesIO(text.encode()), name)]
    return owner.post("/process-definitions", data={"files": files}, content_type="multipart/form-data")


def changed_dmn() -> str:
    original = (BUREAU / DMN).read_text(encoding="utf-8")
    cell = '<outputEntry id="rule_critical_first_contact_hours">\n          <text>2</text>'
    assert cell in original
    return original.replace(cell, cell.replace("<text>2</text>", "<text>3</text>"))


def current_versions(owner: Any) -> dict[str, int]:
    return {d["key"]: d["version"] for d in owner.get("/process-definitions").json["items"]}


def login_to(app: Flask, username: str) -> Api:
    """Return an API client signed in as a demo user of `app`."""
    client = app.test_client()
    response = client.post("/api/v1/auth/token", json={"username": username, "password": username})
    assert response.status_code == 201, response.json
    return Api(client, response.json["token"])
