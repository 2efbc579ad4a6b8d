"""The engine layer end to end: running, saving and restoring, timers, errors, data hygiene."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from tests.workflows.scenario import Scenario, load_files
from workflows import InstanceStatus, ScriptError, TaskNotReady, WorkflowEngine, load_definitions

DATA = Path(__file__).parents[1] / "data"
START = datetime(2025, 9, 26, 1, 0, tzinfo=UTC)  # Friday 09:00 in Shanghai


def acceptance(data: dict[str, object] | None = None) -> Scenario:
    return Scenario(load_files(DATA / "acceptance"), "case_flow", data, now=START)


def run_happy_path(s: Scenario) -> None:
    s.complete("register_case", {"received_on": date(2025, 9, 26), "damaged_area": Decimal("20.5")})
    s.complete("approve_filing", {"filing_decision": "approve"})
    s.complete("inspect_site", {"inspected": True})
    s.complete("review_evidence", {"evidence_ok": True})
    s.complete("draft_decision", {"fine_amount": Decimal("20000")})
    s.complete("confirm_fine", {"fine_confirmed": True})
    s.complete("legal_review", {"legal_opinion": "agree", "review_passed": True})
    s.complete("approve_decision", {"decision_approved": True})
    s.complete("serve_decision", {"served_on": date(2025, 9, 30)})


def test_acceptance_process_runs_to_completion_across_save_and_restore() -> None:
    s = acceptance()
    run_happy_path(s)
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert s.instance.open_tasks() == []
    assert s.data["fine_amount"] == Decimal("20000")
    assert s.data["served_on"] == date(2025, 9, 30)


def test_open_tasks_report_role_form_and_working_day_due_time() -> None:
    s = acceptance()
    s.complete("register_case", {"received_on": date(2025, 9, 26), "damaged_area": Decimal("20.5")})
    task = s.task("approve_filing")
    assert (task.role, task.form_key) == ("squad_leader", "approve_filing")
    # Three working days after Friday 2025-09-26: Sunday 09-28 is a 调休 working day, then 09-29, 09-30.
    assert task.due_at == datetime(2025, 9, 30, 23, 59, 59, tzinfo=task.due_at.tzinfo)
    assert task.due_at.utcoffset() == timedelta(hours=8)


def test_embedded_subprocess_tasks_take_their_role_property_and_report_the_stage() -> None:
    s = acceptance()
    s.complete("register_case", {"received_on": date(2025, 9, 26), "damaged_area": Decimal("5")})
    s.complete("approve_filing", {"filing_decision": "approve"})
    assert s.task("inspect_site").role == "officer"
    assert s.instance.stage() == "调查取证"


def test_interrupting_boundary_timer_fires_at_the_passed_clock_only() -> None:
    s = acceptance()
    s.complete("register_case", {"received_on": date(2025, 9, 26), "damaged_area": Decimal("5")})
    s.complete("approve_filing", {"filing_decision": "approve"})
    s.complete("inspect_site", {"inspected": True})
    s.complete("review_evidence", {"evidence_ok": True})
    (timer,) = s.instance.timers()
    assert timer.due_at == START + timedelta(days=3)
    assert s.advance_to(START + timedelta(days=2)) == []
    assert "draft_decision" in s.open()
    assert s.advance_to(timer.due_at) == [timer.bpmn_id]
    assert "draft_decision" not in s.open()
    assert "escalate_overdue" in s.open()


def test_rejected_filing_takes_the_other_branch() -> None:
    s = acceptance()
    s.complete("register_case", {"received_on": date(2025, 9, 26), "damaged_area": Decimal("5")})
    s.complete("approve_filing", {"filing_decision": "reject"})
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert "inspect_site" not in s.steps


@pytest.mark.slow
def test_deep_loop_of_1500_iterations_through_a_subprocess_does_not_stall() -> None:
    s = Scenario(load_files(DATA / "loops" / "deep_loop.bpmn"), "deep_loop", {"iterations": 1500}, now=START)
    assert s.data.get("counter") == 1500 or "confirm_done" in s.open()
    s.complete("confirm_done", {})
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert s.data["counter"] == 1500


def test_user_task_loop_keeps_working_after_many_rounds() -> None:
    s = Scenario(load_files(DATA / "loops" / "user_loop.bpmn"), "user_loop", now=START)
    for _ in range(60):
        s.complete("review_round", {"approved": False})
    s.complete("review_round", {"approved": True})
    assert s.instance.status() is InstanceStatus.COMPLETED


def test_dates_and_decimals_survive_the_serialized_state_as_json() -> None:
    s = acceptance(
        {"amount": Decimal("12.30"), "found_on": date(2025, 1, 2), "nested": {"d": [date(2025, 1, 3)]}}
    )
    state = s.instance.dump()
    json.loads(state)  # plain JSON text
    s.complete("register_case", {"received_on": date(2025, 9, 26), "damaged_area": Decimal("5")})
    assert s.data["amount"] == Decimal("12.30")
    assert s.data["nested"] == {"d": [date(2025, 1, 3)]}


def _stored_tasks(state: dict[str, object]) -> list[dict[str, object]]:
    workflows = [state, *state["subprocesses"].values()]  # type: ignore[attr-defined]
    return [task for workflow in workflows for task in workflow["tasks"].values()]


def test_tasks_not_yet_reached_do_not_list_the_case_fields_they_lack() -> None:
    fields = {f"field_{n:03}": f"值 {n}" for n in range(200)}
    s = acceptance(fields)
    s.complete("register_case", {"received_on": date(2025, 9, 26), "damaged_area": Decimal("20.5")})
    state = json.loads(s.instance.dump())
    tasks = _stored_tasks(state)
    assert any(not t["data"] and not t["delta"] for t in tasks)  # predicted tasks: stored whole (empty)
    for task in tasks:  # a delta is used only where it is the smaller form
        deletions = (task["delta"] or {}).get("deletions", [])
        assert len(deletions) < 200, task["task_spec"]
    s.complete("approve_filing", {"filing_decision": "approve"})  # restored (Scenario checks the round trip)
    assert s.data["field_199"] == "值 199"


def test_chinese_text_is_stored_as_characters_and_a_lone_surrogate_escaped() -> None:
    s = acceptance({"party_name": "张三"})
    assert "张三" in s.instance.dump()
    odd = acceptance({"party_name": "bad \ud800 text"})
    state = odd.instance.dump()
    state.encode("utf-8")  # a database can store it
    assert "\\ud800" in state
    odd.complete("register_case", {"received_on": date(2025, 9, 26), "damaged_area": Decimal("5")})
    assert odd.data["party_name"] == "bad \ud800 text"


def test_state_keeps_the_definition_out_of_the_blob() -> None:
    s = acceptance()
    state = json.loads(s.instance.dump())
    assert state["spec"] == "case_flow"
    assert isinstance(state["subprocess_specs"], list)


def test_completing_a_task_twice_is_refused() -> None:
    s = acceptance()
    task = s.task("register_case")
    s.instance.complete_task(task.id, {"received_on": date(2025, 9, 26), "damaged_area": Decimal("5")}, START)
    with pytest.raises(TaskNotReady):
        s.instance.complete_task(task.id, {}, START)
    with pytest.raises(TaskNotReady):
        s.instance.complete_task("not-a-uuid", {}, START)


def test_a_failing_script_after_a_task_becomes_an_incident_naming_the_element() -> None:
    s = acceptance()
    s.complete("register_case", {"damaged_area": Decimal("5")})  # received_on missing: the script fails
    (incident,) = s.instance.incidents()
    assert incident.bpmn_id == "compute_deadlines"
    assert "received_on" in incident.message
    assert s.instance.status() is InstanceStatus.RUNNING


def test_a_task_whose_own_work_fails_is_refused_naming_the_task() -> None:
    files = load_files(DATA / "acceptance")
    files["case_flow.bpmn"] = files["case_flow.bpmn"].replace(
        '<spiffworkflow:property name="formKey" value="register_case" />',
        '<spiffworkflow:property name="formKey" value="register_case" />'
        "</spiffworkflow:properties><spiffworkflow:postScript>x = 1 / 0</spiffworkflow:postScript>"
        "<spiffworkflow:properties>",
        1,
    )
    s = Scenario(files, "case_flow", now=START)
    with pytest.raises(ScriptError) as caught:
        s.complete("register_case", {"received_on": date(2025, 9, 26), "damaged_area": Decimal("5")})
    assert caught.value.element_id == "register_case"


def test_restore_refuses_state_of_another_process() -> None:
    files = load_files(DATA / "acceptance", DATA / "loops")
    definitions = load_definitions(files)
    engine = WorkflowEngine()
    state = engine.start(definitions["user_loop"], {}, START).dump()
    with pytest.raises(ValueError, match="another process"):
        engine.restore(definitions["case_flow"], state)


def test_event_based_gateway_timer_is_reported_and_fires() -> None:
    s = Scenario(load_files(DATA / "events" / "wait_payment.bpmn"), "wait_payment", now=START)
    (timer,) = s.instance.timers()
    assert (timer.bpmn_id, timer.due_at) == ("gw_payment_or_deadline", START + timedelta(days=15))
    assert type(timer.due_at) is datetime
    assert s.advance_to(START + timedelta(days=15)) == ["gw_payment_or_deadline"]
    assert s.instance.status() is InstanceStatus.COMPLETED


def test_event_based_gateway_message_wins_before_the_timer() -> None:
    s = Scenario(load_files(DATA / "events" / "wait_payment.bpmn"), "wait_payment", now=START)
    s.instance.send_message("paid", {"amount": "200.00"}, START + timedelta(days=3))
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert s.instance.timers() == []


def test_a_late_escalation_branch_does_not_revert_the_main_paths_results() -> None:
    s = Scenario(
        load_files(DATA / "events" / "late_escalation.bpmn"), "late_escalation", {"note": "初始"}, now=START
    )
    s.advance_to(START + timedelta(days=1, minutes=1))
    assert set(s.open()) == {"decide", "supervise"}
    s.complete("decide", {"decision_no": "嘉城管罚决〔2025〕0001号", "note": "已决定"})
    s.complete("supervise", {"supervision_note": "请尽快"})
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert s.data["decision_no"] == "嘉城管罚决〔2025〕0001号"
    assert s.data["note"] == "已决定"
    assert s.data["supervision_note"] == "请尽快"


@pytest.mark.parametrize("order", [("decide_penalty", "check_repair"), ("check_repair", "decide_penalty")])
def test_a_parallel_join_keeps_what_each_branch_changed_whichever_arrives_last(
    order: tuple[str, str],
) -> None:
    start = {"legal_basis": "旧依据", "status": "调查中", "notes": ["立案"]}
    s = Scenario(load_files(DATA / "events" / "parallel_fields.bpmn"), "parallel_fields", start, now=START)
    answers = {
        "decide_penalty": {"legal_basis": "第八十三条", "fine": Decimal("25000"), "notes": ["立案", "决定"]},
        "check_repair": {"status": "已恢复"},
    }
    for bpmn_id in order:
        s.complete(bpmn_id, answers[bpmn_id])
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert (s.data["legal_basis"], s.data["fine"], s.data["status"]) == (
        "第八十三条",
        Decimal("25000"),
        "已恢复",
    )
    assert s.data["notes"] == ["立案", "决定"]


def test_precompiling_a_definition_leaves_nothing_to_compile_when_its_cases_run() -> None:
    from workflows.sandbox_check import compile_checked

    s = acceptance()
    compile_checked.cache_clear()
    assert WorkflowEngine().precompile(s.definition) > 10  # scripts, conditions, DMN cells, due dates
    misses = compile_checked.cache_info().misses
    run_happy_path(s)  # runs the fine-level decision table, gateways, scripts, due-date expressions
    assert compile_checked.cache_info().misses == misses
