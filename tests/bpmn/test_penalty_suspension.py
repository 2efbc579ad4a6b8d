"""中止 of the decision time limit while `penalty_procedure` runs (行政处罚法第六十条, calendar days).

Before the decision, staff record `case_suspension_requested` on the penalty instance (standalone) or
on the case that called it: the step in progress stops, the reason is checked against
`case_time_limit_suspension.dmn`, the deputy head approves, and the procedure waits with no open task.
On `case_suspension_ended` the officer records the resumption; `decision_due_on` (and the decision's
escalation timer) moves by the days suspended, recorded in `time_limit_changes`, and the procedure
goes back to the step it left. Filed 2025-07-01: decision due 2025-09-29. Contract: test_penalty_procedure.py.
"""

from __future__ import annotations

from datetime import date

from tests.bpmn import steps_case as case
from tests.bpmn.steps_penalty import (
    at,
    complete,
    decide,
    end_of,
    give_notice,
    pass_review,
    report,
    respond,
    start,
)
from tests.workflows.scenario import Scenario


def send(s: Scenario, name: str, day: date) -> None:
    s.advance_to(at(day, 9))  # round-trips the saved state first, as the service would load it
    s.instance.send_message(name, {"by": "承办人"}, at(day, 9))


def ask(s: Scenario, since: date, asked: date, reason: str = "appraisal") -> None:
    send(s, "case_suspension_requested", asked)
    assert set(s.open()) == {"request_penalty_suspension"}  # the step in progress stopped
    assert s.task("request_penalty_suspension").role == "officer"
    request = {
        "case_suspension_reason": reason,
        "case_suspension_facts": "委托检测机构鉴定",
        "case_suspension_from": since,
        "case_suspension_files": ["att-suspension"],
    }
    complete(s, "request_penalty_suspension", request, on=asked)


def approve(s: Scenario, day: date, decision: str = "approve") -> None:
    assert s.task("approve_penalty_suspension").role == "deputy_head"
    answer = {"case_suspension_decision": decision, "case_suspension_decided_on": day}
    complete(s, "approve_penalty_suspension", answer, on=day)


def resume(s: Scenario, day: date) -> None:
    send(s, "case_suspension_ended", day)
    resumed = {"case_resumed_on": day, "case_resumption_note": "鉴定报告已送达"}
    complete(s, "record_penalty_resumption", resumed, on=day)


def test_staff_may_ask_to_suspend_a_penalty_procedure() -> None:
    s = start()
    external = s.definition.external_messages
    assert set(external["case_suspension_requested"].sender_roles) == {"officer", "squad_leader"}
    assert "suspend_decision_stage" in external["case_suspension_requested"].elements
    assert "catch_penalty_resumed" in external["case_suspension_ended"].elements


def test_an_approved_suspension_waits_without_tasks_and_moves_the_decision_limit() -> None:
    s = start()
    report(s)
    assert set(s.open()) == {"draft_prior_notice"}
    ask(s, since=date(2025, 8, 12), asked=date(2025, 8, 12))
    approve(s, date(2025, 8, 13))
    assert s.open() == {}  # suspended: nothing in any inbox
    assert s.data["case_clock_status"] == "suspended"
    resume(s, date(2025, 8, 22))  # 10 calendar days
    assert set(s.open()) == {"draft_prior_notice"}  # back where it stopped
    assert s.data["decision_due_on"] == date(2025, 10, 9)  # 09-29 + 10
    (change,) = s.data["time_limit_changes"]
    assert (change["kind"], change["days"], change["reason"]) == ("suspension", 10, "appraisal")
    assert (change["previous_decision_due_on"], change["step"]) == (date(2025, 9, 29), "draft_prior_notice")
    assert "不计入办案期限" in change["basis"]
    give_notice(s, date(2025, 8, 25))
    respond(s, date(2025, 9, 2))
    pass_review(s, date(2025, 9, 5))
    assert s.task("decide_penalty").due_at == end_of(date(2025, 10, 9))
    assert s.advance_to(end_of(date(2025, 9, 30))) == []  # the old day 90 passes without escalation
    assert s.advance_to(end_of(date(2025, 10, 9))) == ["timer_decision_deadline"]


def test_a_suspension_while_the_decision_is_pending_moves_its_escalation() -> None:
    s = start()
    report(s)
    give_notice(s, date(2025, 8, 18))
    respond(s, date(2025, 8, 26))
    pass_review(s, date(2025, 9, 5))
    assert set(s.open()) == {"decide_penalty"}
    ask(s, since=date(2025, 9, 20), asked=date(2025, 9, 22), reason="party_missing")
    approve(s, date(2025, 9, 23))
    assert s.advance_to(end_of(date(2025, 9, 30))) == []  # suspended: no escalation on day 90
    resume(s, date(2025, 10, 10))  # 20 days from 09-20
    assert s.data["decision_due_on"] == date(2025, 10, 19)
    assert s.task("decide_penalty").due_at == end_of(date(2025, 10, 19))
    decide(s, date(2025, 10, 15))
    assert "timer_decision_deadline" not in s.steps


def test_an_unlisted_or_rejected_suspension_returns_to_the_step_with_the_limit_unchanged() -> None:
    s = start()
    assert set(s.open()) == {"draft_investigation_report"}
    ask(s, since=date(2025, 8, 11), asked=date(2025, 8, 11), reason="other")
    assert set(s.open()) == {"draft_investigation_report"}  # not a listed reason: not put up
    ask(s, since=date(2025, 8, 11), asked=date(2025, 8, 11))
    approve(s, date(2025, 8, 12), decision="reject")
    assert set(s.open()) == {"draft_investigation_report"}
    assert (s.data["decision_due_on"], s.data["time_limit_changes"]) == (date(2025, 9, 29), [])


def test_a_suspension_during_the_called_penalty_procedure_moves_the_case_limit() -> None:
    """The case called the penalty procedure (refusal): the message sent to the case reaches it."""
    s = case.filed_and_ordered()
    assert s.advance_to(case.end_of(date(2025, 12, 26))) == ["timer_rectification_deadline"]
    case.inspect_at_deadline(s, case.at(date(2025, 12, 29), 10), "not_rectified")
    case.state_discretion_factors(s, date(2025, 12, 29))
    report(s, fine=s.data["discretion"]["band_low"], on=date(2025, 12, 29))
    assert "draft_prior_notice" in s.open()
    due = s.data["decision_due_on"]
    assert due == date(2026, 2, 23)  # filed 2025-11-25
    send(s, "case_suspension_requested", date(2025, 12, 30))
    assert "request_penalty_suspension" in s.open()
    assert "request_case_suspension" not in s.open()  # the case's own stage-三 request is over
    assert "draft_prior_notice" not in s.open()
    request = {
        "case_suspension_reason": "appraisal",
        "case_suspension_facts": "委托检测机构鉴定",
        "case_suspension_from": date(2025, 12, 30),
        "case_suspension_files": ["att-suspension"],
    }
    complete(s, "request_penalty_suspension", request, on=date(2025, 12, 30))
    approve(s, date(2025, 12, 31))
    assert "draft_prior_notice" not in s.open()
    resume(s, date(2026, 1, 9))  # 10 days
    assert s.task("draft_prior_notice").due_at == end_of(date(2026, 3, 5))
    changes = s.instance.task_data(s.task("draft_prior_notice").id)["time_limit_changes"]
    assert [(c["kind"], c["days"], c["during"]) for c in changes] == [("suspension", 10, "penalty_procedure")]
