"""重大执法决定法制审核 + 集体讨论 (`major_decision_review`, domain notes §5): one legal path per test.

Contract with the caller. `penalty_procedure` calls this process as a call activity (steps 9–11 of
§4.1); SpiffWorkflow copies the whole case data in and the whole data back out.

Inputs it reads:
    case_no, party_name (text); party_type "individual" | "organization";
    proposed_outcome "penalty" | "no_penalty" | "transfer"; proposed_fine Decimal yuan (None without a fine);
    hearing_status "held" | "waived" | "not_applicable"; penalty_mitigated (减轻处罚),
    multiple_legal_relations (incl. suspected crime), enforcement_decision (行政强制执行决定): bool;
    facts (text); discretion (dict, optional, default None);
    case_type (optional, default "general"; "load_bearing" for 损坏承重结构 cases).

Outputs it leaves:
    is_major (bool), major_criterion / major_reason (why, from major_decision_criteria.dmn);
    review_result: "agree" | "transfer" | "referred" (dispute put to collective discussion by the
        bureau head) | None (not major: no review);
    review_rounds (int, one per accepted submission); review_opinion (text of the last opinion);
    review_opinions (list, one 法制审核意见书 per opinion: round, case_no, party_name, proposed
        decision, the seven review items, opinion_type, correction_kinds, opinion, reviewer, issued_on);
    collective_required (bool), collective_reason; collective_conclusion "penalty" | "no_penalty" |
        "further_investigation" | "transfer" or None; collective_fine (Decimal or None);
        collective_opinions (each member's name, position, opinion, vote);
    final_outcome / final_fine: what the decision must follow (the collective conclusion when there
        was a discussion, "transfer" when the review recommended it, else the proposed outcome/fine).
    The revision step may change proposed_outcome / proposed_fine (调整裁量); they flow back too.

Messages: none. Configuration: review_settings.dmn (time limits, round limit, quorum),
major_decision_criteria.dmn, review_collective_discussion.dmn.

Dates come from the 2025 calendar: the National Day holiday runs 2025-10-01..08, and Sunday
2025-09-28 and Saturday 2025-10-11 are 调休 working days.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from forms import default_registry
from tests.workflows.scenario import Scenario, load_files
from workflows import CHINA_TZ, InstanceStatus

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


# -- "is it major?" ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "criterion"),
    [
        ({"proposed_fine": Decimal("4999.99"), "hearing_status": "held"}, "none"),
        ({"proposed_fine": Decimal("5000"), "hearing_status": "held"}, "heavy_fine_individual"),
        ({"proposed_fine": Decimal("5000"), "hearing_status": "waived"}, "heavy_fine_individual"),
        ({"proposed_fine": Decimal("20000"), "hearing_status": "not_applicable"}, "none"),
        ({"proposed_outcome": "no_penalty", "proposed_fine": None, "hearing_status": "held"}, "none"),
        (
            {"party_type": "organization", "proposed_fine": Decimal("49999.99"), "hearing_status": "waived"},
            "none",
        ),
        (
            {"party_type": "organization", "proposed_fine": Decimal("50000"), "hearing_status": "held"},
            "heavy_fine_organization",
        ),
        ({"penalty_mitigated": True}, "penalty_mitigated"),
        ({"multiple_legal_relations": True, "proposed_outcome": "transfer"}, "multiple_legal_relations"),
        ({"enforcement_decision": True, "proposed_outcome": "no_penalty"}, "enforcement_decision"),
    ],
)
def test_major_decision_table_applies_the_shanghai_criteria(changes: dict[str, Any], criterion: str) -> None:
    s = start(MINOR, **changes)
    assert s.data["major_criterion"] == criterion
    assert s.data["is_major"] is (criterion != "none")
    assert ("prepare_submission" in s.open()) is s.data["is_major"]


def test_individual_fine_of_3000_without_hearing_skips_review_and_keeps_the_proposal() -> None:
    s = start(MINOR)
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert s.steps == []
    assert outputs(s, "is_major", "review_result", "review_rounds", "review_opinion") == {
        "is_major": False,
        "review_result": None,
        "review_rounds": 0,
        "review_opinion": None,
    }
    assert s.data["collective_required"] is False
    assert outputs(s, "collective_conclusion", "final_outcome", "final_fine") == {
        "collective_conclusion": None,
        "final_outcome": "penalty",
        "final_fine": Decimal("3000"),
    }


def test_load_bearing_case_that_is_not_major_still_goes_to_collective_discussion() -> None:
    s = start(CASE, proposed_outcome="no_penalty", proposed_fine=None)  # Art. 33: first offence, restored
    assert s.data["is_major"] is False
    assert s.data["collective_reason"] == "损坏房屋承重结构案件"
    assert s.task("schedule_collective_discussion").role == "legal_reviewer"
    assert s.instance.stage() == "集体讨论"
    discuss(s, date(2025, 9, 26), "no_penalty")
    sign(s, date(2025, 9, 26))
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert outputs(s, "review_rounds", "final_outcome", "final_fine") == {
        "review_rounds": 0,
        "final_outcome": "no_penalty",
        "final_fine": None,
    }


# -- submission package ------------------------------------------------------------------------


def test_incomplete_package_is_returned_when_not_supplemented_within_three_working_days() -> None:
    s = start()
    assert s.task("prepare_submission").role == "officer"
    submit(s, date(2025, 9, 29))
    check(s, date(2025, 9, 30), complete=False)
    # 3 working days after Tuesday 09-30: 10-09, 10-10 and the 调休 Saturday 10-11.
    task = s.task("supplement_submission")
    assert (task.role, task.due_at) == ("officer", end_of(date(2025, 10, 11)))
    assert [t.due_at for t in s.instance.timers()] == [end_of(date(2025, 10, 11))]
    assert s.advance_to(at(date(2025, 10, 11), 22)) == []
    assert s.advance_to(end_of(date(2025, 10, 11))) == ["timer_supplement_deadline"]
    assert set(s.open()) == {"return_submission"}
    fill(
        s,
        "return_submission",
        {"submission_returned_on": date(2025, 10, 13), "submission_return_reason": "逾期未补充鉴定报告"},
        date(2025, 10, 13),
    )
    assert set(s.open()) == {"prepare_submission"}


def test_package_supplemented_in_time_goes_back_to_the_completeness_check() -> None:
    s = start()
    submit(s, date(2025, 9, 29))
    check(s, date(2025, 9, 30), complete=False)
    data = {
        "submission_supplemented_on": date(2025, 10, 10),
        "submission_supplement_files": ["att-appraisal"],
    }
    fill(s, "supplement_submission", data, date(2025, 10, 10))
    assert set(s.open()) == {"check_submission"}
    assert s.instance.timers() == []
    check(s, date(2025, 10, 10))
    assert s.task("register_review").role == "legal_reviewer"


# -- review rounds -----------------------------------------------------------------------------


def test_review_returned_twice_then_agreed_and_collectively_decided() -> None:
    s = start()
    reach_review(s, date(2025, 9, 24), date(2025, 9, 26))
    # 10 working days from Friday 09-26 cross National Day:
    # 09-28 (Sun), 09-29, 09-30, 10-09, 10-10, 10-11 (Sat), 10-13 … 10-16.
    assert s.task("conduct_review").due_at == end_of(date(2025, 10, 16))
    assert s.task("conduct_review").role == "legal_reviewer"
    review(s, date(2025, 9, 30), "correct", ["supplement_evidence"])
    assert s.task("respond_to_correction").due_at == end_of(date(2025, 10, 11))  # 3 wd to ask for a re-review
    respond(s, date(2025, 9, 30))
    revise(s, date(2025, 10, 9), Decimal("20000"))
    check(s, date(2025, 10, 9))
    accept(s, date(2025, 10, 9))
    assert s.task("conduct_review").due_at == end_of(date(2025, 10, 22))  # 10-10, 10-11 (Sat) … 10-22
    correction_round(s, date(2025, 10, 14), date(2025, 10, 16), Decimal("15000"), "adjust_discretion")
    check(s, date(2025, 10, 17))
    accept(s, date(2025, 10, 20))
    assert s.task("conduct_review").due_at == end_of(date(2025, 11, 3))
    review(s, date(2025, 10, 24), "agree")

    assert s.data["collective_reason"] == "损坏房屋承重结构案件"
    discuss(s, date(2025, 10, 28), "penalty", Decimal("15000"))
    sign(s, date(2025, 10, 28))

    assert s.instance.status() is InstanceStatus.COMPLETED
    assert outputs(s, "is_major", "review_result", "review_rounds", "collective_required") == {
        "is_major": True,
        "review_result": "agree",
        "review_rounds": 3,
        "collective_required": True,
    }
    letters = s.data["review_opinions"]
    assert [(x["round"], x["opinion_type"], x["issued_on"]) for x in letters] == [
        (1, "correct", date(2025, 9, 30)),
        (2, "correct", date(2025, 10, 14)),
        (3, "agree", date(2025, 10, 24)),
    ]
    assert letters[1]["correction_kinds"] == ["adjust_discretion"]
    assert letters[1]["review_items"]["law"] == "problem"
    assert (letters[2]["case_no"], letters[2]["party_name"], letters[2]["proposed_fine"]) == (
        CASE["case_no"],
        "张某",
        Decimal("15000"),
    )
    assert [(o["member_name"], o["member_vote"]) for o in s.data["collective_opinions"]] == [
        ("王局长", "penalty"),
        ("李副局长", "penalty"),
        ("赵科长", "penalty"),
    ]
    assert outputs(s, "collective_conclusion", "collective_fine", "final_outcome", "final_fine") == {
        "collective_conclusion": "penalty",
        "collective_fine": Decimal("15000"),
        "final_outcome": "penalty",
        "final_fine": Decimal("15000"),
    }


def test_reviewer_recommends_transfer_and_the_discussion_decides_to_transfer() -> None:
    s = start(
        CASE,
        party_type="organization",
        party_name="上海某装饰工程有限公司",
        proposed_fine=Decimal("80000"),
        multiple_legal_relations=True,  # the works endangered the building: suspected crime
        case_type="general",
    )
    assert s.data["major_criterion"] == "multiple_legal_relations"
    reach_review(s, date(2025, 9, 24), date(2025, 9, 25))
    review(s, date(2025, 9, 29), "transfer")
    assert s.data["collective_reason"] == "情节复杂：涉及多种法律关系"
    voters = [(name, position, "涉嫌犯罪，同意移送", "transfer") for name, position, _, _ in MEMBERS]
    discuss(s, date(2025, 9, 30), "transfer", members=voters)
    sign(s, date(2025, 9, 30))
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert outputs(s, "review_result", "review_rounds", "final_outcome", "final_fine") == {
        "review_result": "transfer",
        "review_rounds": 1,
        "final_outcome": "transfer",
        "final_fine": None,
    }
    assert s.data["review_opinions"][0]["review_items"]["crime"] == "problem"


def test_major_case_without_collective_rule_follows_the_agreed_proposal() -> None:
    enforcement = {"enforcement_decision": True, "proposed_outcome": "no_penalty", "proposed_fine": None}
    s = start(CASE, **enforcement, case_type="general")
    reach_review(s, date(2025, 9, 24), date(2025, 9, 25))
    review(s, date(2025, 9, 26), "agree")
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert outputs(s, "review_result", "collective_required", "final_outcome", "final_fine") == {
        "review_result": "agree",
        "collective_required": False,
        "final_outcome": "no_penalty",
        "final_fine": None,
    }


# -- review time limits ------------------------------------------------------------------------


def test_deputy_head_extends_the_review_by_three_working_days_once() -> None:
    s = start()
    reach_review(s, date(2025, 10, 9), date(2025, 10, 9))
    assert s.task("conduct_review").due_at == end_of(date(2025, 10, 22))
    review(s, date(2025, 10, 20), "extend")
    task = s.task("approve_review_extension")
    assert (task.role, task.due_at) == ("deputy_head", end_of(date(2025, 10, 22)))
    decide_extension(s, date(2025, 10, 21))
    assert s.task("conduct_review").due_at == end_of(date(2025, 10, 27))  # 10-23, 10-24, 10-27
    assert [t.due_at for t in s.instance.timers()] == [end_of(date(2025, 10, 27))]
    review(s, date(2025, 10, 24), "extend")
    decide_extension(s, date(2025, 10, 24))  # approved again, but only one extension is allowed
    assert s.task("conduct_review").due_at == end_of(date(2025, 10, 27))
    review(s, date(2025, 10, 27), "agree")
    assert s.data["review_rounds"] == 1
    assert [x["opinion_type"] for x in s.data["review_opinions"]] == ["agree"]


def test_overdue_review_opens_supervision_by_the_deputy_head_and_stays_open() -> None:
    s = start()
    reach_review(s, date(2025, 9, 24), date(2025, 9, 26))
    assert s.advance_to(end_of(date(2025, 10, 15))) == []
    assert s.advance_to(end_of(date(2025, 10, 16))) == ["timer_review_overdue"]
    assert set(s.open()) == {"conduct_review", "supervise_review_overdue"}
    assert s.task("supervise_review_overdue").role == "deputy_head"
    supervision = {"review_supervised_on": date(2025, 10, 17), "review_supervision_note": "请于今日出具意见"}
    fill(s, "supervise_review_overdue", supervision, date(2025, 10, 17))
    review(s, date(2025, 10, 17), "agree")
    discuss(s, date(2025, 10, 20), "penalty", Decimal("20000"))
    sign(s, date(2025, 10, 20))
    assert s.instance.status() is InstanceStatus.COMPLETED


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


def test_rereview_answer_is_due_within_two_working_days() -> None:
    s = start()
    dispute_until_rereview(s)
    assert s.task("rereview").due_at == end_of(date(2025, 10, 11))  # 10-10 and the 调休 Saturday 10-11
    assert s.advance_to(end_of(date(2025, 10, 11))) == ["timer_rereview_overdue"]
    assert set(s.open()) == {"rereview", "supervise_rereview_overdue"}
    rereview(s, "agree", date(2025, 10, 13))
    assert s.data["review_result"] == "agree"
    assert s.data["review_opinions"][-1]["opinion_type"] == "agree"
    assert set(s.open()) == {"supervise_rereview_overdue", "schedule_collective_discussion"}


def test_maintained_review_goes_to_the_bureau_head_who_refers_it_to_collective_discussion() -> None:
    s = start()
    dispute_until_rereview(s)
    rereview(s, "maintain", date(2025, 10, 10))
    assert s.task("decide_review_escalation").role == "bureau_head"
    escalate(s, "refer_collective", date(2025, 10, 13))
    assert s.data["collective_reason"] == "承办机构与法制审核意见分歧，局负责人决定提交集体讨论"
    discuss(s, date(2025, 10, 15), "penalty", Decimal("18000"))
    sign(s, date(2025, 10, 15))
    assert outputs(s, "review_result", "review_rounds", "final_outcome", "final_fine") == {
        "review_result": "referred",
        "review_rounds": 1,
        "final_outcome": "penalty",
        "final_fine": Decimal("18000"),
    }


def test_bureau_head_upholding_the_review_sends_the_case_back_for_correction() -> None:
    s = start()
    dispute_until_rereview(s)
    rereview(s, "maintain", date(2025, 10, 10))
    escalate(s, "uphold_review", date(2025, 10, 13))
    assert set(s.open()) == {"revise_submission"}


def test_officer_who_does_not_ask_for_rereview_within_three_working_days_must_correct() -> None:
    s = start()
    reach_review(s, date(2025, 9, 24), date(2025, 9, 26))
    review(s, date(2025, 9, 30), "correct", ["revise_documents"])
    assert s.advance_to(end_of(date(2025, 10, 11))) == ["timer_rereview_window"]
    assert set(s.open()) == {"revise_submission"}


def test_correction_in_the_fifth_round_goes_to_the_bureau_head() -> None:
    s = start()
    reach_review(s, date(2025, 10, 9), date(2025, 10, 9))
    day = date(2025, 10, 10)
    for _ in range(4):
        correction_round(s, day, day, Decimal("20000"), "revise_documents")
        check(s, day)
        accept(s, day)
    assert s.data["review_rounds"] == 5
    review(s, day, "correct", ["revise_documents"])
    assert set(s.open()) == {"decide_review_escalation"}


# -- collective discussion ---------------------------------------------------------------------


def test_discussion_below_quorum_is_held_again() -> None:
    s = start(CASE, proposed_outcome="no_penalty", proposed_fine=None)
    discuss(s, date(2025, 9, 26), "no_penalty", members=MEMBERS[:2])
    assert set(s.open()) == {"schedule_collective_discussion"}
    discuss(s, date(2025, 9, 29), "no_penalty")
    assert s.task("collect_signatures").role == "legal_reviewer"
    sign(s, date(2025, 9, 29))
    assert s.instance.status() is InstanceStatus.COMPLETED
