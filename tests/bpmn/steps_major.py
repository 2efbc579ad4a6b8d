"""Shared steps of the `major_decision_review` scenario tests (重大执法决定法制审核 + 集体讨论).

The contract with the caller is described in test_major_decision_review.py. Dates come from the 2025
calendar: the National Day holiday runs 2025-10-01..08, and Sunday 2025-09-28 and Saturday 2025-10-11
are 调休 working days.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from forms import default_registry
from tests.workflows.scenario import Scenario, load_files
from workflows import CHINA_TZ

BPMN = Path(__file__).parents[2] / "bpmn"
PROCESS = "major_decision_review"

CASE: dict[str, Any] = {
    "case_no": "嘉城管立〔2025〕0456号",
    "party_type": "individual",
    "party_name": "张某",
    "proposed_outcome": "penalty",
    "proposed_fine": Decimal("20000"),
    "hearing_status": "held",
    "penalty_mitigated": False,
    "multiple_legal_relations": False,
    "enforcement_decision": False,
    "facts": "当事人装修时擅自拆除叶城路1号301室客厅承重墙约3㎡",
    "discretion": {"harm_level": 2, "score": 30, "band": "1万–10万"},
    "case_type": "load_bearing",
}
MINOR = CASE | {"proposed_fine": Decimal("3000"), "hearing_status": "not_applicable", "case_type": "general"}

MEMBERS = [
    ("王局长", "局长", "事实清楚，证据确凿，同意罚款一万五千元", "penalty"),
    ("李副局长", "副局长", "当事人已恢复原状，同意法制审核调整后的金额", "penalty"),
    ("赵科长", "法制科科长", "程序合法，裁量适当", "penalty"),
]


def at(day: date, hour: int = 10) -> datetime:
    """Return a China-time instant on `day`."""
    return datetime.combine(day, time(hour), CHINA_TZ)


def end_of(day: date) -> datetime:
    """Return the last second of `day` in China time (when a working-day deadline expires)."""
    return datetime.combine(day, time(23, 59, 59), CHINA_TZ)


def start(case: Mapping[str, Any] = CASE, **changes: Any) -> Scenario:
    """Call the process with the case data, on Wednesday 2025-09-24."""
    return Scenario(load_files(BPMN), PROCESS, dict(case) | changes, now=at(date(2025, 9, 24)))


def fill(s: Scenario, bpmn_id: str, data: Mapping[str, Any], day: date) -> None:
    """Validate `data` with the task's form, as the service does, then complete the task on `day`."""
    form = default_registry().get(s.task(bpmn_id).form_key or "")
    s.complete(bpmn_id, form.validate(data, now=at(day, 18)), now=at(day))


# -- steps -------------------------------------------------------------------------------------


def submit(s: Scenario, day: date) -> None:
    """The officer submits the review package (审核报告, draft decision, file, hearing record)."""
    fill(
        s,
        "prepare_submission",
        {
            "submission_facts": CASE["facts"],
            "submission_legal_basis": "《上海市住宅物业管理规定》第五十六条第二款第一项、第八十三条",
            "submission_discretion": "危害结果等级2，整改积极，按裁量基准（七）拟罚款2万元",
            "submission_officers": [
                {"officer_name": "李明", "officer_cert_no": "31010001"},
                {"officer_name": "张华", "officer_cert_no": "31010002"},
            ],
            "submission_hearing_note": "2025年9月19日举行听证，当事人到场",
            "submission_hearing_record_included": True,
            "submission_report": ["att-report"],
            "submission_draft_decision": ["att-draft"],
            "submission_case_file": ["att-file"],
            "submission_hearing_record": ["att-hearing"],
            "submission_appraisal_reports": ["att-appraisal"],
            "review_submitted_on": day,
        },
        day,
    )


def check(s: Scenario, day: date, *, complete: bool = True) -> None:
    """The legal section checks the package for completeness."""
    missing = [] if complete else ["appraisal_report"]
    data = {
        "submission_checked_on": day,
        "submission_complete": complete,
        "submission_missing_items": missing,
    }
    fill(s, "check_submission", data, day)


def accept(s: Scenario, day: date) -> None:
    """The legal section accepts and registers the submission (受理日 = `day`)."""
    data = {
        "review_accepted_on": day,
        "review_register_no": f"法审〔2025〕{day:%m%d}号",
        "reviewer_name": "陈审核",
        "reviewer_certificate_no": "A20183101000123",
    }
    fill(s, "register_review", data, day)


def review(s: Scenario, day: date, opinion_type: str, corrections: Sequence[str] = ()) -> None:
    """The reviewer completes the seven-item checklist and issues an opinion of `opinion_type`."""
    problem = "problem" if corrections else "pass"
    data = {
        "review_method": "written",
        "review_check_subject": "pass",
        "review_check_jurisdiction": "pass",
        "review_check_facts": problem if "supplement_evidence" in corrections else "pass",
        "review_check_law": problem if "adjust_discretion" in corrections else "pass",
        "review_check_procedure": "pass",
        "review_check_documents": "pass",
        "review_check_crime": "problem" if opinion_type == "transfer" else "pass",
        "review_opinion_type": opinion_type,
        "review_correction_kinds": list(corrections),
        "review_opinion_text": f"{opinion_type}: {'、'.join(corrections) or '无'}",
        "review_opinion_reviewer": "陈审核",
        "review_opinion_issued_on": day,
    }
    fill(s, "conduct_review", data, day)


def respond(s: Scenario, day: date, response: str = "accept") -> None:
    """The officer accepts the corrections or disputes them (申请复核)."""
    data = {
        "correction_response": response,
        "correction_dispute_reason": "证据已足以认定" if response == "dispute" else None,
    }
    fill(s, "respond_to_correction", data | {"correction_responded_on": day}, day)


def revise(s: Scenario, day: date, fine: Decimal, kind: str = "supplement_evidence") -> None:
    """The officer corrects the case as told and resubmits it."""
    data = {
        "revision_items": [{"revision_kind": kind, "revision_action": "已按审核意见整改"}],
        "proposed_outcome": "penalty",
        "proposed_fine": fine,
        "revised_draft_decision": ["att-draft-revised"],
        "revision_resubmitted_on": day,
    }
    fill(s, "revise_submission", data, day)


def decide_extension(s: Scenario, day: date, decision: str = "approve") -> None:
    """The deputy head decides on the reviewer's extension request."""
    fill(
        s,
        "approve_review_extension",
        {"review_extension_decision": decision, "review_extension_decided_on": day},
        day,
    )


def discuss(s: Scenario, day: date, conclusion: str, fine: Decimal | None = None, members=MEMBERS) -> None:
    """Put the case on the agenda and hold the discussion chaired by the bureau head."""
    schedule = {
        "collective_meeting_kind": "director_meeting",
        "collective_planned_at": at(day, 14),
        "collective_planned_location": "局三楼会议室",
        "collective_investigation_report": ["att-investigation"],
        "collective_review_letter": ["att-review-letter"],
        "collective_draft_decision": ["att-draft"],
    }
    fill(s, "schedule_collective_discussion", schedule, day)
    record = {
        "collective_held_at": at(day, 15),
        "collective_location": "局三楼会议室",
        "collective_chair": "王局长",
        "collective_observers": [{"observer_name": "周队长", "observer_position": "中队长"}],
        "collective_recorder": "孙记录",
        "collective_report_summary": "承办人汇报事实与处理建议",
        "collective_review_summary": "法制科汇报审核意见",
        "collective_opinions": [
            {"member_name": n, "member_position": p, "member_opinion": o, "member_vote": v}
            for n, p, o, v in members
        ],
        "collective_conclusion": conclusion,
        "collective_penalty_kinds": ["fine"] if fine else [],
        "collective_fine": fine,
        "collective_conclusion_text": f"集体讨论决定：{conclusion}",
    }
    fill(s, "hold_collective_discussion", record, day)


def sign(s: Scenario, day: date) -> None:
    """The recorder files the record signed by everyone present."""
    data = {
        "collective_signed_record": ["att-signed"],
        "collective_all_signed": True,
        "collective_signed_on": day,
    }
    fill(s, "collect_signatures", data, day)


def reach_review(s: Scenario, submitted: date, accepted: date) -> None:
    """Submit, pass the completeness check and register; the review task is then open."""
    submit(s, submitted)
    check(s, accepted)
    accept(s, accepted)


def correction_round(s: Scenario, reviewed: date, resubmitted: date, fine: Decimal, kind: str) -> None:
    """The reviewer asks for `kind` corrections; the officer accepts, corrects and resubmits."""
    review(s, reviewed, "correct", [kind])
    respond(s, reviewed)
    revise(s, resubmitted, fine, kind)


def outputs(s: Scenario, *keys: str) -> dict[str, Any]:
    """Pick output fields from the case data."""
    return {key: s.data[key] for key in keys}


# -- disagreement with the review (§5.3 step 4b) -----------------------------------------------


def dispute_until_rereview(s: Scenario) -> None:
    """Round 1 asks for corrections on 09-30; the officer disputes them on 10-09."""
    reach_review(s, date(2025, 9, 24), date(2025, 9, 26))
    review(s, date(2025, 9, 30), "correct", ["adjust_discretion"])
    respond(s, date(2025, 10, 9), "dispute")


def rereview(s: Scenario, result: str, day: date) -> None:
    """The legal section answers the re-review request."""
    data = {"rereview_result": result, "rereview_opinion": "复核意见", "rereview_reviewer": "陈审核"}
    fill(s, "rereview", data | {"rereview_on": day}, day)


def escalate(s: Scenario, decision: str, day: date) -> None:
    """The bureau head decides the dispute between the squad and the legal section."""
    data = {
        "review_escalation_decision": decision,
        "review_escalation_note": "负责人决定",
        "review_escalation_decided_on": day,
    }
    fill(s, "decide_review_escalation", data, day)
