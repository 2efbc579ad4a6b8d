"""`zhifa bpmn diff` and `zhifa instances migrate`: readable output, progress, clear errors, no traceback."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from flask import Flask

from service.operations.migration import _REASONS
from tests.conftest import DATA, deploy_dir
from workflows import Blocker

ACCEPTANCE = DATA / "acceptance"


@pytest.fixture
def two_versions(login: Any) -> list[int]:
    """case_flow v1 with two running cases, then v2 with its first task renamed."""
    owner, officer = login("process_owner"), login("officer1")
    assert deploy_dir(owner, ACCEPTANCE).status_code == 201
    ids = [officer.post("/process-instances", json={"process_key": "case_flow"}).json["id"] for _ in range(2)]
    changed = (
        (ACCEPTANCE / "case_flow.bpmn").read_text(encoding="utf-8").replace("登记案件", "登记案件（新版）")
    )
    files = [(io.BytesIO(changed.encode()), "case_flow.bpmn")]
    response = owner.post("/process-definitions", data={"files": files}, content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    return ids


def test_bpmn_diff_prints_the_changed_element_and_its_property(
    app: Flask, runner_for: Any, two_versions: list[int]
) -> None:
    result = runner_for(app).invoke(["bpmn", "diff", "case_flow", "1", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "case_flow v1 -> v2"
    assert "~ userTask register_case 登记案件（新版）" in result.output
    assert "name: '登记案件' -> '登记案件（新版）'" in result.output
    as_json = runner_for(app).invoke(["bpmn", "diff", "case_flow", "1", "2", "--json"])
    (element,) = json.loads(as_json.output)["elements"]
    assert (element["element_id"], element["change"]) == ("register_case", "changed")


def test_bpmn_diff_explains_an_unknown_version_or_process(
    app: Flask, runner_for: Any, two_versions: list[int]
) -> None:
    missing = runner_for(app).invoke(["bpmn", "diff", "case_flow", "1", "9"])
    assert missing.exit_code == 1
    assert "没有第 9 版 / process 'case_flow' has no version 9" in missing.output
    unknown = runner_for(app).invoke(["bpmn", "diff", "nothing", "1", "2"])
    assert unknown.exit_code == 1
    assert "未部署 / process 'nothing' is not deployed" in unknown.output
    assert "Traceback" not in missing.output + unknown.output


def test_instances_migrate_dry_run_then_move_with_progress(
    app: Flask, login: Any, runner_for: Any, two_versions: list[int]
) -> None:
    dry = runner_for(app).invoke(["instances", "migrate", "case_flow", "--from", "1", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    lines = dry.output.splitlines()
    assert lines[0] == "case_flow v1 -> v2: 2 running case(s)"
    assert lines[1].startswith(f"[1/2] case {two_versions[0]} can move (at register_case")
    assert lines[-1] == "2 can move, 0 cannot move (dry run, nothing changed)"
    auditor = login("auditor")
    assert auditor.get(f"/process-instances/{two_versions[0]}").json["definition"]["version"] == 1
    moved = runner_for(app).invoke(
        ["instances", "migrate", "case_flow", "--from", "1", "--to", "2", "--case", str(two_versions[1])]
    )
    assert moved.exit_code == 0, moved.output
    assert moved.output.splitlines()[-1] == "1 moved, 0 cannot move"
    versions = [auditor.get(f"/process-instances/{i}").json["definition"]["version"] for i in two_versions]
    assert versions == [1, 2]
    same = runner_for(app).invoke(["instances", "migrate", "case_flow", "--from", "2"])
    assert same.exit_code == 1
    assert "源版本与目标版本相同 / from and to are the same version" in same.output


def test_every_reason_reads_in_chinese_then_english() -> None:
    for code, reason in _REASONS.items():
        text = reason(Blocker(code, "review_remit", "职责审核", "a → b: +x"))
        zh, _sep, en = text.partition(" / ")
        assert " / " not in en, code
        assert re.search(r"[\u4e00-\u9fff]", zh), code
        assert en.isascii() or "→" in en, code
