"""Shared steps of the `penalty_procedure` scenario tests: start data, forms, one helper per task."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from forms import default_registry
from service.numbering import load_numbering
from tests.workflows.scenario import Scenario, load_files
from workflows import CHINA_TZ

BPMN = Path(__file__).parents[2] / "bpmn"
STUBS = Path(__file__).parent / "stubs"
NUMBERING = load_numbering(BPMN / "numbering.yaml")
FINE = Decimal("20000")
START: dict[str, Any] = {
    "case_no": "沪嘉城管立〔2025〕0101号",
    "filed_on": date(2025, 7, 1),
    "case_type": "load_bearing",
    "party_type": "individual",
    "party_name": "张三",
    "party_id_number": "31011419800101001X",
    "party_address": "嘉定区叶城路1号301室",
    "party_phone": "13812345678",
    "violation_facts": "擅自拆除承重墙",
    "legal_basis": "《上海市住宅物业管理规定》第八十三条",
    "discretion": {
        "band_low": Decimal("10000"),
        "band_high": Decimal("50000"),
        "score": 60,
        "serious": False,
    },
    "rectification_outcome": "refused",
    "aggravating": False,
}
PUBLICITY_KEYS = set(
    [
        "case_no",
        "decision_no",
        "decided_on",
        "party_type",
        "party_name",
        "party_id_number",
        "party_uscc",
        "legal_representative",
        "party_address",
        "violation_facts",
        "penalty_kind",
        "legal_basis",
        "fine_amount",
        "performance_method",
        "deciding_organ",
        "credit_push_done_by_caller",
        "credit_pushed",
    ]
)
PUBLICITY_INSTANCE_ID = 77  # the id the emulated router gives the publicity instance
INVESTIGATORS = [{"name": "李四", "cert_no": "31140001"}, {"name": "王五", "cert_no": "31140002"}]
REPORT = {
    "report_facts": "拆除承重墙",
    "legal_basis": START["legal_basis"],
    "evidence_items": [{"evidence_name": "检查笔录", "evidence_kind": "inspection_record"}],
    "enforcement_recordings": ["att-video"],
    "discretion_statement": "一般情节",
    "penalty_mitigated": False,
    "investigators": INVESTIGATORS,
}
NOTICE = {
    "notice_content": "拟罚款",
    "rights_stated": ["statement", "hearing"],
}
DECISION_DOCUMENT = {
    "decision_facts": "擅自拆除承重墙",
    "decision_evidence": "检查笔录、照片",
    "penalty_kind": "fine",
    "legal_basis": START["legal_basis"],
    "performance_method": "收到决定书之日起十五日内缴纳",
    "remedy_notice": "六十日内申请复议或六个月内起诉",
    "surcharge_notice_included": True,
}
DECISION_NO = "嘉城管罚决〔2025〕0001号"  # first number of the year from numbering.yaml
HOST = {"hearing_clerk_name": "钱七", "hearing_host_appointed_on": date(2025, 10, 10)}
HEARING_NOTICE = {"hearing_place": "听证室"}
HEARING_RECORD = {"hearing_outcome": "held", "transcript_signature": "signed", "hearing_transcript": ["att"]}
HEARING_REPORT = {
    "hearing_report_result": "maintain",
    "hearing_report_summary": "无异议",
    "hearing_report_opinion": "维持",
}
STATEMENT_REVIEW = {
    "statement_review_result": "maintain",
    "statement_adopted": "none",
    "statement_review_opinion": "否",
    "statement_reviewed_on": date(2025, 8, 26),
}
REMINDER = {"reminder_service_method": "direct", "reminder_receipt": ["att"]}
COURT_APPLICATION = {"application_court": "嘉定区人民法院"}
COURT_RULING = {"court_case_no": "(2026)沪0114行审12号", "court_ruling": "enforce"}
NO_PENALTY_DOCUMENT = {
    "no_penalty_facts": "已恢复原状",
    "no_penalty_basis": "第三十三条",
    "no_penalty_remedy_notice": "复议",
}
TRANSFER = {
    "transfer_letter_no": "移〔2025〕1号",
    "transferred_to": "公安嘉定分局",
    "transfer_materials": ["att"],
}


def at(day: date, hour: int = 10) -> datetime:
    """Return `hour` o'clock on `day`, China time."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=CHINA_TZ)


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=CHINA_TZ)


def penalty_files() -> dict[str, str]:
    """Return penalty_procedure with what it calls (the stand-in review until the real one exists)."""
    files = load_files(BPMN)
    if "major_decision_review.bpmn" not in files:
        files |= load_files(STUBS)
    decisions = {d: name for name, text in files.items() for d in re.findall(r'<decision id="([^"]+)"', text)}
    wanted: dict[str, str] = {}
    todo = ["penalty_procedure.bpmn"]
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted[name] = files[name]
            todo += [f"{p}.bpmn" for p in re.findall(r'calledElement="([^"]+)"', files[name])]
            todo += [decisions[d] for d in re.findall(r"calledDecisionId>\s*([\w.]+)\s*<", files[name])]
    return wanted


def complete(s: Scenario, bpmn_id: str, data: dict[str, Any], on: date | None = None) -> None:
    """Complete a task as the service would: validated form data (every field present) plus its numbers."""
    now = at(on) if on else s.now
    task, forms = s.task(bpmn_id), default_registry()
    values = forms.get(task.form_key).validate(data, now=now) if task.form_key in forms else dict(data)
    s.complete(bpmn_id, values | numbers_for(s, task.process_id, bpmn_id), now=now)


def numbers_for(s: Scenario, scope: str, bpmn_id: str) -> dict[str, str]:
    """The document numbers a task allocates (assignNumbers); each series' first number of the year."""
    meta = s.definition.user_tasks[(scope, bpmn_id)]
    held = s.instance.task_data(s.task(bpmn_id).id)
    return {
        field: NUMBERING.series[series].render(NUMBERING.organ, s.now.year, 1)
        for field, series in meta.assign_numbers.items()
        if not held.get(field)
    }


def start(**changes: Any) -> Scenario:
    return Scenario(penalty_files(), "penalty_procedure", {**START, **changes}, now=at(date(2025, 8, 11)))


# -- steps ------------------------------------------------------------------------------------


def report(s: Scenario, outcome: str = "penalty", fine: Decimal = FINE, on: date = date(2025, 8, 11)) -> None:
    """Investigation-end report, then the squad legal officer's and the squad leader's review."""
    proposal = {"recommended_outcome": outcome, "proposed_fine": fine, "report_date": on}
    complete(s, "draft_investigation_report", {**REPORT, **proposal}, on=on)
    complete(s, "first_review_legal", {"legal_first_review_result": "approve", "legal_first_review_on": on})
    complete(
        s, "first_review_leader", {"leader_first_review_result": "approve", "leader_first_review_on": on}
    )


def proposed_fine(s: Scenario) -> Decimal:
    """The fine the case proposes now, which the notice form starts with (`prefill`).

    The HTTP walks' `Plan` keeps only its answers: there it is the report's proposal.
    """
    if isinstance(s, Scenario):
        return s.data["proposed_fine"]
    return Decimal(str(s.answers["draft_investigation_report"][-1]["proposed_fine"]))  # type: ignore[attr-defined]


def give_notice(s: Scenario, served_on: date, fine: Decimal | None = None) -> None:
    """Prior notice (事先告知) drafted, approved by the squad leader and served, all on `served_on`.

    The notice states `fine`, by default the prefilled proposed fine.
    """
    notified = proposed_fine(s) if fine is None else fine
    drafted = {**NOTICE, "notice_drafted_on": served_on, "notified_fine": notified}
    complete(s, "draft_prior_notice", drafted, on=served_on)
    assert s.task("approve_prior_notice").role == "squad_leader"
    complete(s, "approve_prior_notice", {"notice_approval": "approve", "notice_approved_on": served_on})
    service = {
        "notice_served_on": served_on,
        "notice_service_method": "direct",
        "notice_service_receipt": ["att"],
    }
    complete(s, "serve_prior_notice", service)


def respond(s: Scenario, on: date, requested_on: date | None = None, statement: bool = False) -> None:
    """The officer records what the party sent in after the notice (requested_on: the request's date)."""
    response = {"statement_made": statement, "hearing_requested": requested_on is not None}
    complete(s, "record_party_response", {**response, "hearing_requested_on": requested_on}, on=on)


def review_answers(
    s: Scenario, on: date, conclusion: str | None = None, fine: Decimal | None = None
) -> dict[str, dict[str, Any]]:
    """Form data for each user task of major_decision_review (or its stand-in), by BPMN id."""
    outcome = conclusion or s.data["proposed_outcome"]
    fine = (fine or s.data["proposed_fine"]) if outcome == "penalty" else None
    checks = ("subject", "jurisdiction", "facts", "law", "procedure", "documents", "crime")
    member = {"member_position": "副局长", "member_opinion": "同意", "member_vote": outcome}
    return {
        "stub_review": {"decision": "approve", "final_outcome": outcome, "final_fine": fine},
        "prepare_submission": {
            "submission_facts": "拆除承重墙",
            "submission_legal_basis": START["legal_basis"],
            "submission_discretion": "一般情节",
            "submission_hearing_record_included": False,
            "submission_officers": [
                {"officer_name": i["name"], "officer_cert_no": i["cert_no"]} for i in INVESTIGATORS
            ],
            "review_submitted_on": on,
            **dict.fromkeys(
                ("submission_report", "submission_draft_decision", "submission_case_file"), ["att"]
            ),
        },
        "check_submission": {"submission_checked_on": on, "submission_complete": True},
        "register_review": {
            "review_accepted_on": on,
            "review_register_no": "法审12号",
            "reviewer_name": "周九",
        },
        "conduct_review": {
            **{f"review_check_{item}": "pass" for item in checks},
            "review_method": "written",
            "review_opinion_type": "agree",
            "review_opinion_text": "事实清楚，程序合法",
            "review_opinion_reviewer": "周九",
            "review_opinion_issued_on": on,
            "review_correction_kinds": None,
        },
        "schedule_collective_discussion": {
            "collective_meeting_kind": "case_review_meeting",
            "collective_planned_at": at(on, 14),
            "collective_planned_location": "会议室",
            "collective_investigation_report": ["att"],
            "collective_draft_decision": ["att"],
        },
        "hold_collective_discussion": {
            "collective_held_at": at(on, 9),
            "collective_location": "会议室",
            "collective_chair": "局长",
            "collective_recorder": "吴十",
            "collective_report_summary": "承办人汇报",
            "collective_opinions": [{**member, "member_name": f"委员{n}"} for n in range(1, 6)],
            "collective_conclusion": outcome,
            "collective_fine": fine,
            "collective_conclusion_text": "同意",
        },
        "collect_signatures": {
            "collective_all_signed": True,
            "collective_signed_on": on,
            "collective_signed_record": ["att"],
        },
    }


def pass_review(s: Scenario, on: date, conclusion: str | None = None, fine: Decimal | None = None) -> None:
    """Drive the called major_decision_review: the reviewer agrees and the collective discussion concludes."""
    answers = review_answers(s, on, conclusion, fine)
    while waiting := [bpmn_id for bpmn_id in s.open() if bpmn_id in answers]:
        complete(s, waiting[0], answers[waiting[0]], on=on)


def decide(s: Scenario, on: date) -> None:
    assert s.task("decide_penalty").role == "bureau_head"
    complete(s, "decide_penalty", {"decision_result": "approve", "decided_on": on}, on=on)


def issue_decision(s: Scenario, on: date) -> None:
    complete(s, "draft_decision_document", DECISION_DOCUMENT, on=on)
    complete(
        s,
        "issue_decision_document",
        {"decision_issued_on": on, "decision_document": ["att"]},
    )


def serve(s: Scenario, on: date, method: str = "direct") -> dict[str, Any] | None:
    """Serve the decision; return the publicity start payload if the service started publicity."""
    complete(
        s,
        "serve_decision",
        {"service_method": method, "service_act_on": on, "service_receipt": ["att"]},
        on=on,
    )
    return route_publicity_start(s)


def route_publicity_start(s: Scenario) -> dict[str, Any] | None:
    """Emulate the router: answer a thrown `start.enforcement_publicity` with `started.enforcement_publicity`.

    Returns the start payload, or None if nothing was thrown. The HTTP walks' `Plan` stands in for a
    Scenario there; the real router answers, so nothing is done.
    """
    if not isinstance(s, Scenario):
        return None
    messages = s.instance.thrown_messages()
    if not messages:
        return None
    (message,) = messages
    assert message.name == "start.enforcement_publicity"
    assert isinstance(message.payload, dict)
    s.advance_to(s.now)  # round-trips the saved state first, as the service would load it
    answer = {"instance_id": PUBLICITY_INSTANCE_ID, "case_no": message.payload["case_no"]}
    s.instance.send_message("started.enforcement_publicity", answer, s.now)
    return message.payload


def push_credit(s: Scenario, on: date) -> None:
    assert s.task("record_credit_push").role == "clerk"
    complete(
        s, "record_credit_push", {"credit_pushed_on": on, "credit_platform": "municipal_platform"}, on=on
    )


def pay(s: Scenario, task: str, on: date, **extra: Any) -> None:
    complete(
        s, task, {"payment_status": "paid", "paid_on": on, "payment_receipt_no": "JK0001", **extra}, on=on
    )


def decide_and_serve(s: Scenario, decided_on: date, served_on: date) -> dict[str, Any] | None:
    """Decide, issue and serve; push to the credit platform. Returns the publicity start payload."""
    decide(s, decided_on)
    issue_decision(s, decided_on)
    publicity = serve(s, served_on)
    push_credit(s, served_on)
    return publicity


def waived_case_served(s: Scenario) -> dict[str, Any] | None:
    """Notice served 2025-08-18, no hearing request, review passes, decided 2025-09-10, served 2025-09-16."""
    report(s)
    give_notice(s, date(2025, 8, 18))
    respond(s, date(2025, 8, 26))
    pass_review(s, date(2025, 9, 5))
    return decide_and_serve(s, date(2025, 9, 10), date(2025, 9, 16))


def hearing_case(requested_on: date) -> Scenario:
    """Notice served Thursday 2025-09-25, before the National Day holiday; the party asks for a hearing."""
    s = start(filed_on=date(2025, 8, 1))
    report(s, on=date(2025, 9, 15))
    give_notice(s, date(2025, 9, 25))
    # 09-26, Sunday 09-28 (调休 working day), 09-29, 09-30, then 10-09 after the holiday (10-01..08).
    assert s.data["hearing_window_ends_on"] == date(2025, 10, 9)
    assert s.task("record_party_response").due_at == end_of(date(2025, 10, 9))
    respond(s, date(2025, 10, 10), requested_on=requested_on)
    return s


def outputs(s: Scenario) -> dict[str, Any]:
    keys = ("penalty_outcome", "fine_amount", "served_on", "payment_due_on", "paid_on", "surcharge_amount")
    return {key: s.data[key] for key in (*keys, "execution_status", "hearing_status")}
