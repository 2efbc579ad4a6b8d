"""Versions on the command line: deploy of equal content rolls back, list, activate; demo keeps working."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from service import create_app
from tests.service.studio_support import BUREAU, DMN, bureau_app, changed_dmn

__all__ = ["bureau_app"]  # a fixture used by this module's tests


def _changed_file(tmp_path: Path) -> Path:
    folder = tmp_path / "changed"
    folder.mkdir(exist_ok=True)
    path = folder / DMN
    path.write_text(changed_dmn(), encoding="utf-8")
    return path


def test_cli_deploy_of_earlier_content_rolls_back_and_activate_moves_between_versions(
    bureau_app: Flask, runner_for: Any, tmp_path: Path
) -> None:
    runner = runner_for(bureau_app)
    assert runner.invoke(["bpmn", "deploy", str(BUREAU)]).exit_code == 0
    changed = runner.invoke(["bpmn", "deploy", str(_changed_file(tmp_path))])
    assert changed.output.strip() == "complaint_handling v2 (new version)"
    rolled = runner.invoke(["bpmn", "deploy", str(BUREAU / DMN)])
    assert rolled.exit_code == 0, rolled.output
    assert rolled.output.strip() == "complaint_handling v1 (current again)"
    listed = runner.invoke(["bpmn", "versions", "complaint_handling"]).output.splitlines()
    assert [line[:4] for line in listed] == ["  v2", "* v1"]
    forward = runner.invoke(["bpmn", "activate", "complaint_handling", "2"])
    assert forward.output.strip() == "complaint_handling v2 is current now"
    assert runner.invoke(["bpmn", "versions", "complaint_handling"]).output.startswith("* v2")
    missing = runner.invoke(["bpmn", "activate", "complaint_handling", "9"])
    assert missing.exit_code == 1
    assert "has no version 9" in missing.output
    assert missing.exception is None or isinstance(missing.exception, SystemExit)


def test_demo_and_a_restart_work_after_any_deploy_history(
    database_url: str, tmp_path: Path, runner_for: Any
) -> None:
    config = {
        "TESTING": True,
        "DEMO_MODE": True,
        "SECRET_KEY": "demo-test",
        "DATABASE_URL": database_url,
        "ATTACHMENT_DIR": str(tmp_path / "attachments"),
        "DEMO_PROCESSES": ["complaint_handling"],
    }
    app = create_app(config)
    runner = runner_for(app)
    assert runner.invoke(["demo"]).exit_code == 0
    assert runner.invoke(["bpmn", "deploy", str(_changed_file(tmp_path))]).exit_code == 0
    assert runner.invoke(["bpmn", "deploy", str(BUREAU / DMN)]).output.strip().endswith("(current again)")
    assert runner.invoke(["bpmn", "activate", "complaint_handling", "2"]).exit_code == 0
    app.extensions["zhifa.engine"].dispose()
    restarted = create_app(config)
    again = runner_for(restarted).invoke(["demo"])
    assert again.exit_code == 0, again.output
    assert "process complaint_handling v2 current" in again.output  # the demo did not undo the owner's choice
    listed = runner_for(restarted).invoke(["bpmn", "versions", "complaint_handling"]).output
    assert listed.startswith("* v2")
    restarted.extensions["zhifa.engine"].dispose()


def test_cli_validate_names_an_unknown_variable_in_english_and_chinese(
    bureau_app: Flask, runner_for: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "typo"
    folder.mkdir()
    for path in BUREAU.glob("complaint_*"):
        folder.joinpath(path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    diagram = folder / "complaint_handling.bpmn"
    diagram.write_text(
        diagram.read_text(encoding="utf-8").replace("remit_decision ==", "remit_decison =="), encoding="utf-8"
    )
    result = runner_for(bureau_app).invoke(["bpmn", "validate", str(folder)])
    assert result.exit_code == 1
    assert "[flow_remit_accept]" in result.output
    assert "did you mean 'remit_decision'" in result.output
    assert "条件中的变量“remit_decison”在此处不存在" in result.output


def test_studio_commands_answer_wrong_input_in_both_languages_without_a_traceback(
    bureau_app: Flask, runner_for: Any, tmp_path: Path
) -> None:
    runner = runner_for(bureau_app)
    assert runner.invoke(["bpmn", "deploy", str(BUREAU)]).exit_code == 0
    broken = tmp_path / "complaint_handling.bpmn"
    text = (BUREAU / "complaint_handling.bpmn").read_text(encoding="utf-8")
    broken.write_text(text.replace('isExecutable="true"', 'isExecutable="yes"', 1), encoding="utf-8")
    cases = {
        ("bpmn", "deploy", str(tmp_path / "missing.bpmn")): "没有文件或文件夹",
        ("bpmn", "validate", str(broken)): "的值“yes”不合法",
        ("bpmn", "diff", "complaint_handling", "1", "9"): "没有第 9 版",
        ("bpmn", "diff", "nope", "1", "2"): "未部署",
        ("bpmn", "versions", "nope"): "没有流程 nope",
        ("instances", "migrate", "nope", "--from", "1", "--dry-run"): "未部署",
        ("instances", "migrate", "complaint_handling", "--from", "1", "--dry-run"): "相同",
    }
    for args, chinese in cases.items():
        result = runner.invoke(list(args))
        assert result.exit_code != 0, args
        assert chinese in result.output, (args, result.output)
        assert "Traceback" not in result.output, args
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
