"""Scenario tests for `penalty_procedure` (行政处罚普通程序, domain notes §4, §3.7-B2, §7.1).

Call contract: `load_bearing_case` calls this process as a call activity; all data is copied in and out.
Started alone (POST /process-instances) the start form `penalty_start` supplies the same inputs; the case
type is looked up in penalty_case_types.dmn (case_type_name; a missing legal_basis takes its default).

Inputs (start data):
    case_no, filed_on (date of 立案), decision_due_on (optional: the decision time limit, moved by an
    approved extension; default filed_on + 90 days, Art. 60), case_type (catalogue code),
    party_type ("individual" | "organization"), party_name, party_id_number or party_uscc (the other may be
    absent), legal_representative (optional), party_address, party_phone (optional), violation_facts,
    legal_basis, discretion ({"band_low", "band_high", "score", "serious"}),
    rectification_outcome ("rectified" | "refused" | "overdue_then_rectified" | "not_ordered"),
    aggravating (optional).
Outputs (set on every path):
    penalty_outcome ("penalty" | "no_penalty" | "transfer"), decision_no, decided_on, fine_amount (Decimal),
    served_on, payment_due_on, paid_on, surcharge_amount (Decimal), execution_status ("paid" |
    "court_enforcement_applied" | "no_fine" | "transferred" | "revoked" | "void": set aside or found void
    on reconsideration or litigation), hearing_status ("held" | "waived" | "not_applicable"); also
    no_penalty_reason, notice_no, notified_fine (the 告知书 amount), credit_push_required.
Calls `major_decision_review` (proposed_outcome, proposed_fine, hearing_status, penalty_mitigated,
multiple_legal_relations, enforcement_decision, facts, discretion, case_type → final_outcome, final_fine).
Throws `start.enforcement_publicity` once a penalty decision is served (payload keys: PUBLICITY_KEYS, with
credit_push_done_by_caller = True and credit_pushed = credit_push_required: the credit push is recorded
here only), then waits for the service's `started.enforcement_publicity` (stored as publicity_instance_id;
after 10 minutes without an answer it goes on without one). A 复议/诉讼 outcome 变更 / 撤销 / 确认违法 /
确认无效 throws `decision_changed` {target_instance_id, change_kind, changed_on, reason, fine_amount} to that
publicity instance once; 变更 and 确认违法 let execution go on (on the changed fine), the others stop it.
A failed legal review (review_result "returned"), or a reviewed fine outside discretion.statutory_min/max
(fine_range_problem says why), sends the case back to the investigation report.
Beside its main path it waits for `restoration_accepted` {case_no, accepted_on, rectification_outcome}
(thrown by load_bearing_case when a repair passes acceptance); its end events throw `penalty_closing`,
which ends that wait inside the instance. A restoration after a refusal is counted once, before the
decision: the discretion is recomputed and the officer confirms the proposal
(revise_proposal_after_restoration).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from forms import default_registry
from service.config import DefaultConfig
from tests.bpmn.steps_penalty import (  # noqa: F401  (the HTTP walks use these through this module)
    COURT_APPLICATION,
    COURT_RULING,
    DECISION_NO,
    FINE,
    HEARING_NOTICE,
    HEARING_RECORD,
    HEARING_REPORT,
    HOST,
    NO_PENALTY_DOCUMENT,
    NUMBERING,
    PUBLICITY_INSTANCE_ID,
    PUBLICITY_KEYS,
    REMINDER,
    START,
    STATEMENT_REVIEW,
    TRANSFER,
    at,
    complete,
    decide,
    decide_and_serve,
    end_of,
    give_notice,
    hearing_case,
    issue_decision,
    outputs,
    pass_review,
    pay,
    penalty_files,
    push_credit,
    report,
    respond,
    review_answers,
    serve,
    start,
    waived_case_served,
)
from workflows import InstanceStatus, load_definitions


def test_user_tasks_name_known_roles_shipped_forms_and_configured_number_series() -> None:
    forms = default_registry()
    shipped = forms.keys()
    definition = load_definitions(penalty_files())["penalty_procedure"]
    tasks = [t for t in definition.user_tasks.values() if t.file_name == "penalty_procedure.bpmn"]
    assert all(t.role in DefaultConfig.ROLES and t.form_key in forms for t in tasks)
    used = {t.form_key for t in tasks} | {definition.start_form_key}
    assert {k for k in used if k.startswith("penalty_")} == {
        key for key in shipped if key.startswith("penalty_")
    }
    # 中止 uses the case's own suspension forms (same table, same approval)
    assert {k for k in used if not k.startswith("penalty_")} == {
        "case_request_case_suspension",
        "case_approve_case_suspension",
        "case_record_case_resumption",
    }
    assert all(series in NUMBERING.series for t in tasks for series in t.assign_numbers.values())


def test_waived_hearing_and_payment_in_time_close_the_case_with_outputs_and_publicity() -> None:
    s = start()
    report(s)
    give_notice(s, date(2025, 8, 18))
    assert s.data["notice_no"] == "嘉城管罚告〔2025〕0001号"  # allocated when the notice is drafted
    assert s.task("record_party_response").due_at == end_of(date(2025, 8, 25))  # 5 working days
    respond(s, date(2025, 8, 26))
    assert s.data["hearing_status"] == "waived"
    pass_review(s, date(2025, 9, 5))
    assert s.task("decide_penalty").due_at == end_of(date(2025, 9, 29))  # 立案 2025-07-01 + 90 days
    decide(s, date(2025, 9, 10))
    issue_decision(s, date(2025, 9, 10))
    assert s.task("serve_decision").due_at == end_of(date(2025, 9, 19))  # 7 working days after deciding
    payload = serve(s, date(2025, 9, 16))

    assert payload is not None
    assert set(payload) == PUBLICITY_KEYS
    assert payload["deciding_organ"] == "上海市嘉定区城市管理行政执法局"
    assert (payload["decision_no"], payload["decided_on"]) == (DECISION_NO, date(2025, 9, 10))
    assert (payload["fine_amount"], payload["party_uscc"]) == (FINE, None)
    # The push is recorded here, where the Art. 9(4) exemption is decided; publicity must not push again.
    assert (payload["credit_push_done_by_caller"], payload["credit_pushed"]) == (True, True)
    assert s.data["publicity_instance_id"] == PUBLICITY_INSTANCE_ID
    # 2025-09-16 + 15 days is 10-01, inside the National Day holiday: moved to the next working day.
    assert s.task("record_payment").due_at == end_of(date(2025, 10, 9))
    push_credit(s, date(2025, 9, 17))
    pay(s, "record_payment", date(2025, 10, 9))

    assert s.instance.status() is InstanceStatus.COMPLETED
    assert (s.data["decision_no"], s.data["decided_on"]) == (DECISION_NO, date(2025, 9, 10))
    assert outputs(s) == {
        "penalty_outcome": "penalty",
        "fine_amount": FINE,
        "served_on": date(2025, 9, 16),
        "payment_due_on": date(2025, 10, 9),
        "paid_on": date(2025, 10, 9),
        "surcharge_amount": Decimal("0"),
        "execution_status": "paid",
        "hearing_status": "waived",
    }


def test_hearing_requested_on_the_fifth_working_day_is_held_by_a_non_investigator_after_due_notice() -> None:
    s = hearing_case(requested_on=date(2025, 10, 9))
    assert s.task("appoint_hearing_host").role == "legal_reviewer"
    complete(
        s, "appoint_hearing_host", {**HOST, "hearing_host_name": "李四", "hearing_host_cert_no": "31140001"}
    )
    assert s.data["hearing_host_eligible"] is False  # 李四 investigated the case
    complete(
        s, "appoint_hearing_host", {**HOST, "hearing_host_name": "赵六", "hearing_host_cert_no": "31140009"}
    )
    notice = {**HEARING_NOTICE, "hearing_notice_served_on": date(2025, 10, 10)}
    complete(s, "notify_hearing", {**notice, "hearing_date": date(2025, 10, 17)})
    assert s.data["hearing_earliest_date"] == date(2025, 10, 20)  # 7 working days; Saturday 10-11 works
    complete(s, "notify_hearing", {**notice, "hearing_date": date(2025, 10, 20)})
    assert s.task("hold_hearing").due_at == end_of(date(2025, 10, 20))
    complete(
        s, "hold_hearing", {**HEARING_RECORD, "hearing_held_on": date(2025, 10, 20)}, on=date(2025, 10, 20)
    )
    complete(
        s,
        "write_hearing_report",
        {**HEARING_REPORT, "proposed_fine": FINE, "hearing_reported_on": date(2025, 10, 20)},
    )
    assert s.data["hearing_status"] == "held"
    pass_review(s, date(2025, 10, 22))
    decide_and_serve(s, date(2025, 10, 24), date(2025, 10, 27))
    pay(s, "record_payment", date(2025, 11, 10))
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert (s.data["hearing_status"], s.data["payment_due_on"]) == ("held", date(2025, 11, 11))


def test_hearing_requested_on_the_sixth_working_day_is_refused_and_treated_as_waived() -> None:
    s = hearing_case(requested_on=date(2025, 10, 10))
    assert s.data["hearing_request_in_time"] is False
    assert "appoint_hearing_host" not in s.open()
    refusal = {"hearing_refusal_notice_no": "听不〔2025〕1号", "hearing_refusal_reason": "逾期申请"}
    complete(
        s,
        "refuse_hearing_request",
        {**refusal, "hearing_refusal_served_on": date(2025, 10, 11)},
        on=date(2025, 10, 11),
    )
    assert s.data["hearing_status"] == "waived"
    pass_review(s, date(2025, 10, 15))
    decide_and_serve(s, date(2025, 10, 20), date(2025, 10, 21))
    pay(s, "record_payment", date(2025, 10, 30))
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert outputs(s)["hearing_status"] == "waived"


def test_no_request_recorded_inside_the_window_waits_for_the_window_to_close() -> None:
    s = start(filed_on=date(2025, 8, 1))
    report(s, on=date(2025, 9, 15))
    give_notice(s, date(2025, 9, 25))
    respond(s, date(2025, 10, 9))  # recorded on the window's last day: the party may still ask
    assert "record_party_response" not in s.open()
    assert [(t.bpmn_id, t.due_at) for t in s.instance.timers()] == [
        ("timer_hearing_window", end_of(date(2025, 10, 9)))
    ]
    assert s.advance_to(end_of(date(2025, 10, 9))) == ["timer_hearing_window"]
    respond(s, date(2025, 10, 10))
    assert s.data["hearing_status"] == "waived"
    assert set(s.open()) & set(review_answers(s, date(2025, 10, 10)))


def test_unpaid_fine_waits_for_remedy_periods_then_reminder_and_court_enforcement_after_ten_workdays() -> (
    None
):
    s = start()
    waived_case_served(s)
    assert s.advance_to(at(date(2025, 10, 10), 0)) == ["timer_payment_due"]
    assert s.task("monitor_unpaid_fine").due_at == end_of(date(2026, 3, 16))  # 6 months after service
    unpaid = {"payment_status": "unpaid", "remedy_proceedings": []}
    complete(s, "monitor_unpaid_fine", unpaid, on=date(2025, 12, 1))  # too early: periods still running
    assert "monitor_unpaid_fine" not in s.open()
    assert s.advance_to(end_of(date(2026, 3, 16))) == ["timer_remedy_periods"]
    complete(s, "monitor_unpaid_fine", unpaid, on=date(2026, 3, 17))
    # 159 days late on 2026-03-17: 3 % a day would be 95,400 yuan, capped at the fine.
    assert (s.data["surcharge_days"], s.data["surcharge_amount"]) == (159, FINE)
    assert s.data["reminder_amount"] == Decimal("40000")
    reminder = {
        **REMINDER,
        "reminder_served_on": date(2026, 3, 27),
        "reminder_performance_due": date(2026, 4, 13),
    }
    complete(s, "serve_payment_reminder", reminder, on=date(2026, 3, 27))
    # Ten working days after Friday 2026-03-27, skipping the Qingming holiday (04-04..06): Monday 04-13.
    assert s.advance_to(at(date(2026, 4, 13), 18)) == []
    assert s.advance_to(at(date(2026, 4, 14), 0)) == ["timer_reminder_period"]
    complete(s, "record_reminder_outcome", {"payment_status": "unpaid", "reminder_statement_made": False})
    assert s.task("draft_court_application").due_at == end_of(date(2026, 6, 16))  # 3 months after 03-16
    application = {
        **COURT_APPLICATION,
        "court_applied_on": date(2026, 4, 15),
        "application_materials": ["att"],
    }
    complete(s, "draft_court_application", application, on=date(2026, 4, 15))
    complete(
        s,
        "sign_court_application",
        {"court_application_approval": "approve", "court_application_signed_on": date(2026, 4, 15)},
    )
    complete(
        s,
        "record_court_ruling",
        {**COURT_RULING, "court_accepted_on": date(2026, 4, 20)},
        on=date(2026, 4, 27),
    )
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert (s.data["reminder_no"], s.data["court_application_no"]) == (
        "嘉城管催告〔2026〕0001号",
        "嘉城管强执申〔2026〕0001号",
    )
    assert outputs(s) == {
        "penalty_outcome": "penalty",
        "fine_amount": FINE,
        "served_on": date(2025, 9, 16),
        "payment_due_on": date(2025, 10, 9),
        "paid_on": None,
        "surcharge_amount": FINE,
        "execution_status": "court_enforcement_applied",
        "hearing_status": "waived",
    }


@pytest.mark.parametrize(
    ("paid_on", "days", "surcharge"),
    [(date(2025, 10, 29), 20, Decimal("12000")), (date(2025, 11, 18), 40, Decimal("20000"))],
)
def test_late_payment_carries_three_percent_a_day_capped_at_the_fine(
    paid_on: date, days: int, surcharge: Decimal
) -> None:
    s = start()
    waived_case_served(s)
    s.advance_to(at(date(2025, 10, 10), 0))
    pay(s, "monitor_unpaid_fine", paid_on, remedy_proceedings=[], amount_paid=FINE + surcharge)
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert (s.data["surcharge_days"], s.data["surcharge_amount"]) == (days, surcharge)
    assert (s.data["paid_on"], s.data["execution_status"]) == (paid_on, "paid")


def test_surcharge_does_not_run_while_a_reconsideration_is_pending() -> None:
    s = start()
    waived_case_served(s)
    s.advance_to(at(date(2025, 10, 10), 0))
    case = {"kind": "reconsideration", "remedy_case_no": "嘉府复〔2025〕77号", "result": "upheld"}
    reconsideration = {**case, "filed_on": date(2025, 10, 15), "concluded_on": date(2025, 11, 20)}
    pay(s, "monitor_unpaid_fine", date(2025, 12, 5), remedy_proceedings=[reconsideration])
    # Counted: 10-10..10-14 (5 days) and 11-21..12-05 (15 days); 10-15..11-20 is paused.
    assert (s.data["surcharge_days"], s.data["surcharge_amount"]) == (20, Decimal("12000"))


def test_slight_and_corrected_violation_ends_with_a_served_no_penalty_decision() -> None:
    s = start(rectification_outcome="rectified")
    report(s, outcome="no_penalty", fine=Decimal("0"))
    assert "draft_prior_notice" not in s.open()
    assert (s.data["proposed_outcome"], s.data["no_penalty_reason"]) == ("no_penalty", "slight_and_corrected")
    pass_review(s, date(2025, 8, 15))
    decide(s, date(2025, 8, 18))
    complete(s, "draft_no_penalty_decision", NO_PENALTY_DOCUMENT)
    complete(
        s, "issue_decision_document", {"decision_issued_on": date(2025, 8, 18), "decision_document": ["att"]}
    )
    serve(s, date(2025, 8, 19))
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert s.instance.thrown_messages() == []
    assert (s.data["decision_no"], s.data["decided_on"]) == ("嘉城管不罚决〔2025〕0001号", date(2025, 8, 18))
    assert outputs(s) == {
        "penalty_outcome": "no_penalty",
        "fine_amount": Decimal("0"),
        "served_on": date(2025, 8, 19),
        "payment_due_on": None,
        "paid_on": None,
        "surcharge_amount": None,
        "execution_status": "no_fine",
        "hearing_status": "not_applicable",
    }
