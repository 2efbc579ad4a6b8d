"""The diagram API: both layouts from the definition's template, ETag and 304 for an unchanged case."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from tests.conftest import DATA, deploy_dir

pytestmark = pytest.mark.skipif(shutil.which("neato") is None, reason="Graphviz is not installed")


@pytest.fixture
def case(login: Any) -> dict[str, Any]:
    assert deploy_dir(login("process_owner"), DATA / "acceptance").status_code == 201
    body: dict[str, Any] = (
        login("officer1")
        .post("/process-instances", json={"process_key": "case_flow", "data": {"title": "叶城路1号 承重墙"}})
        .json
    )
    return body


@pytest.mark.parametrize("layout", ["auto", "bpmn"])
def test_the_instance_diagram_answers_304_until_the_case_changes(
    login: Any, case: dict[str, Any], layout: str
) -> None:
    officer = login("officer1")
    path = f"/process-instances/{case['id']}/diagram.svg?layout={layout}"
    first = officer.get(path)
    assert first.status_code == 200
    assert 'data-bpmn-id="register_case"' in first.text
    etag = first.headers["ETag"]
    assert officer.get(path, headers={"If-None-Match": etag}).status_code == 304

    task = officer.get("/tasks").json["items"][0]
    officer.post(f"/tasks/{task['id']}/claim")
    assert officer.get(path, headers={"If-None-Match": etag}).status_code == 200


def test_a_stranger_gets_no_304_either(login: Any, case: dict[str, Any]) -> None:
    etag = login("officer1").get(f"/process-instances/{case['id']}/diagram.svg").headers["ETag"]
    stranger = login("hotline_liaison").get(
        f"/process-instances/{case['id']}/diagram.svg", headers={"If-None-Match": etag}
    )
    assert stranger.status_code == 404
