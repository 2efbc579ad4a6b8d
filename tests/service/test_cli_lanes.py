"""`zhifa bpmn lanes FILE... [--check]`: rewrite a stale diagram, or report it and exit 1."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from service.cli_lanes import lanes_command

SOURCE = Path(__file__).resolve().parents[2] / "bpmn" / "major_decision_review.bpmn"


def test_check_reports_a_stale_diagram_and_a_run_fixes_it(tmp_path: Path) -> None:
    diagram = tmp_path / "major_decision_review.bpmn"
    original = SOURCE.read_text(encoding="utf-8")
    # A task handed to another role but left in its old lane.
    head, task = original.split('id="collect_signatures"', 1)
    stale = head + 'id="collect_signatures"' + task.replace('value="legal_reviewer"', 'value="clerk"', 1)
    diagram.write_text(stale, encoding="utf-8")
    runner = CliRunner()
    checked = runner.invoke(lanes_command, ["--check", str(diagram)])
    assert checked.exit_code == 1
    assert "out of date" in checked.output
    assert diagram.read_text(encoding="utf-8") == stale
    rewritten = runner.invoke(lanes_command, [str(diagram)])
    assert rewritten.exit_code == 0, rewritten.output
    assert 'id="lane_clerk" name="内勤"' in diagram.read_text(encoding="utf-8")
    assert runner.invoke(lanes_command, ["--check", str(diagram)]).exit_code == 0


def test_an_unknown_party_is_reported_and_the_file_left_alone(tmp_path: Path) -> None:
    diagram = tmp_path / "major_decision_review.bpmn"
    text = SOURCE.read_text(encoding="utf-8").replace(
        '<spiffworkflow:property name="formKey" value="review_submission" />',
        '<spiffworkflow:property name="formKey" value="review_submission" />\n'
        '          <spiffworkflow:property name="messageTo" value="newspaper" />',
    )
    diagram.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(lanes_command, [str(diagram)])
    assert result.exit_code == 1
    assert "unknown party 'newspaper'" in result.output
    assert diagram.read_text(encoding="utf-8") == text
