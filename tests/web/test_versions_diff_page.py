"""The studio's version diff page: the change list, the coloured diagrams, and moving running cases."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import DATA, Api, deploy_dir, make_test_app
from tests.web.conftest import signed_in_client

ACCEPTANCE = DATA / "acceptance"
PAGE = "/studio/processes/case_flow/diff"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_test_app(database_url, tmp_path, FORMS_DIR=str(ACCEPTANCE / "forms"))
    yield app
    app.extensions["zhifa.engine"].dispose()


@pytest.fixture
def two_versions(login: Any) -> int:
    """Deploy case_flow, start a case on version 1, then deploy version 2 with a renamed task."""
    owner = login("process_owner")
    assert deploy_dir(owner, ACCEPTANCE).status_code == 201
    case = login("officer1").post("/process-instances", json={"process_key": "case_flow"}).json
    changed = (
        (ACCEPTANCE / "case_flow.bpmn").read_text(encoding="utf-8").replace("登记案件", "登记案件（新版）")
    )
    files = [(io.BytesIO(changed.encode()), "case_flow.bpmn")]
    response = owner.post("/process-definitions", data={"files": files}, content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    return int(case["id"])


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_diff_page_lists_the_change_and_colours_it_on_the_diagram(app: Flask, two_versions: int) -> None:
    html = signed_in_client(app, "process_owner").get(PAGE).get_data(as_text=True)
    assert re.search(r'<tr data-element="register_case" data-change="changed">', html)
    assert "登记案件（新版）" in html
    assert re.search(r'<g id="node-register_case" class="node zf-diff-changed"', html)
    unchanged = re.findall(r'<g id="node-([a-z_]+)" class="node"', html)
    assert unchanged
    assert "register_case" not in unchanged
    same = signed_in_client(app, "auditor").get(f"{PAGE}?from=2&to=2").get_data(as_text=True)
    assert 'id="zf-no-diff"' in same
    assert "zf-migrate-title" not in same  # auditors read, they do not move cases


def test_pages_refuse_others_and_bad_versions_without_a_traceback(app: Flask, two_versions: int) -> None:
    assert signed_in_client(app, "officer1").get(PAGE).status_code == 403
    bad = signed_in_client(app, "process_owner").get(f"{PAGE}?from=abc")
    assert bad.status_code == 422
    assert "Traceback" not in bad.get_data(as_text=True)
    assert signed_in_client(app, "process_owner").get(f"{PAGE}?from=1&to=7").status_code == 422
    assert signed_in_client(app, "process_owner").get("/studio/processes/nothing/diff").status_code == 404


def test_dry_run_then_migration_from_the_page(app: Flask, login: Any, two_versions: int) -> None:
    owner = signed_in_client(app, "process_owner")
    token = _token(owner.get(PAGE).get_data(as_text=True))
    form = {"csrf_token": token, "from": "1", "to": "2"}
    dry = owner.post("/studio/processes/case_flow/migrate", data={**form, "action": "dry_run"})
    assert dry.status_code == 200
    assert f'data-case="{two_versions}" data-can-move="yes"' in dry.get_data(as_text=True)
    auditor = login("auditor")
    assert auditor.get(f"/process-instances/{two_versions}").json["definition"]["version"] == 1
    done = owner.post("/studio/processes/case_flow/migrate", data={**form, "action": "migrate"})
    assert done.status_code == 200
    assert 'id="zf-migration-summary"' in done.get_data(as_text=True)
    moved = auditor.get(f"/process-instances/{two_versions}").json
    assert moved["definition"]["version"] == 2
    assert moved["tasks"][0]["name"] == "登记案件（新版）"
    history = signed_in_client(app, "auditor").get(f"/cases/{two_versions}").get_data(as_text=True)
    assert "迁移到新的流程版本" in history
    officer = signed_in_client(app, "officer1")
    refused = officer.post("/studio/processes/case_flow/migrate", data={**form, "action": "migrate"})
    assert refused.status_code in {400, 403}


def test_a_rewired_flow_is_coloured_on_both_diagrams(database_url: str, tmp_path: Path) -> None:
    app = make_test_app(database_url, tmp_path)  # the bureau's own forms
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "process_owner", "password": "process_owner"})
    owner = Api(client, token.json["token"])
    assert deploy_dir(owner, Path(__file__).parents[2] / "bpmn").status_code == 201
    assert deploy_dir(owner, DATA / "migration").status_code == 201
    page = signed_in_client(app, "process_owner").get("/studio/processes/complaint_handling/diff")
    old, new = page.get_data(as_text=True).split('id="zf-new-diagram"')
    app.extensions["zhifa.engine"].dispose()
    assert re.search(r'class="edge zf-diff-changed">\s*<title>timer_contact_overdue&#45;&gt;escalate', old)
    assert re.search(r'class="edge zf-diff-changed">\s*<title>timer_contact_overdue&#45;&gt;supervise', new)
    assert re.search(r'<g id="node-escalate_contact_overdue" class="node zf-diff-removed"', old)
    assert re.search(r'<g id="node-supervise_contact_overdue" class="node zf-diff-added"', new)
    assert re.search(r'<g id="node-first_contact" class="node zf-diff-changed"', new)
