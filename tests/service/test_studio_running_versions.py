"""Cases on an old version finish on it while new cases run the new version of the complaint process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import deploy_dir, make_test_app
from tests.service.bureau_walk import BureauWalk
from tests.service.studio_support import BUREAU, DMN, changed_dmn, deploy_text
from tests.service.test_api_bureau import ANSWERS


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The service with the bureau's own forms, its clock pinned to a working Friday."""
    app = make_test_app(database_url, tmp_path, FIXED_NOW="2025-09-26T15:00:00+08:00")
    yield app
    app.extensions["zhifa.engine"].dispose()


def test_an_old_complaint_finishes_on_its_version_while_a_new_one_runs_the_new(
    app: Flask, login: Any
) -> None:
    owner, liaison = login("process_owner"), login("hotline_liaison")
    assert deploy_dir(owner, BUREAU).status_code == 201
    old = liaison.post("/process-instances", json={"process_key": "complaint_handling"}).json
    text = (BUREAU / "complaint_handling.bpmn").read_text(encoding="utf-8")
    assert 'name="登记工单"' in text
    assert deploy_text(owner, DMN, changed_dmn()).status_code == 201
    renamed = deploy_text(
        owner, "complaint_handling.bpmn", text.replace('name="登记工单"', 'name="登记工单（新）"')
    )
    assert [(i["key"], i["version"]) for i in renamed.json["items"]] == [("complaint_handling", 3)]
    new = liaison.post("/process-instances", json={"process_key": "complaint_handling"}).json
    assert (old["definition"]["version"], new["definition"]["version"]) == (1, 3)
    assert (old["tasks"][0]["name"], new["tasks"][0]["name"]) == ("登记工单", "登记工单（新）")
    walk = BureauWalk(app, login, {**ANSWERS, "decide_handling": {"handling_method": "dissuade"}})
    walk.run()
    for case, version in ((old, 1), (new, 3)):
        body = walk.instance(case["id"])
        assert (body["status"], body["definition"]["version"]) == ("completed", version)
