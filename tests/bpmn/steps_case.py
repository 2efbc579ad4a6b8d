"""Shared steps of the 损坏房屋承重结构 (`load_bearing_case`) scenarios: each step completes one task as
the service does (the form validates, numbers are allocated) on a real date.

The 2025-2026 calendar matters here: the National Day holiday runs 2025-10-01..08 (Sunday 2025-09-28 and
Saturday 2025-10-11 are 调休 working days), New Year 2026-01-01..03 (Sunday 2026-01-04 works) and the
Spring Festival 2026-02-15..23 (Saturdays 2026-02-14 and 2026-02-28 work). The called processes
`penalty_procedure` and `major_decision_review` run for real; their tasks are completed with valid data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from forms import default_registry
from tests.bpmn.steps_penalty import (
    decide,
    issue_decision,
    numbers_for,
    pay,
    push_credit,
    respond,
    serve,
)
from tests.forms.form_helpers import make_id_card
from tests.workflows.scenario import Scenario, load_files
from workflows import CHINA_TZ

BPMN = Path(__file__).parents[2] / "bpmn"
PROCESS = "load_bearing_case"
COMPLAINT_INSTANCE_ID = 815
OFFICERS = [{"officer_name": "李明", "cert_no": "31010001"}, {"officer_name": "张华", "cert_no": "31010002"}]


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """Return a China-time instant on `day`."""
    return datetime.combine(day, time(hour, minute), CHINA_TZ)


def end_of(day: date) -> datetime:
    """Return the last second of `day` in China time (when a day-counted deadline expires)."""
    return datetime.combine(day, time(23, 59, 59), CHINA_TZ)


def fill(s: Scenario, bpmn_id: str, data: Mapping[str, Any], now: datetime) -> None:
    """Complete a task as the service does: the form's validated data plus the numbers it allocates."""
    task = s.task(bpmn_id)
    values = default_registry().get(task.form_key or "").validate(data, now=now)
    s.complete(bpmn_id, values | numbers_for(s, task.process_id, bpmn_id), now=now)


def receive(start: Mapping[str, Any], now: datetime, *, catalogue: bool = False) -> Scenario:
    """Start a case from the API: the start event's form (case_lead) checks the start data first.

    `catalogue`: as a bureau that has confirmed the credit catalogue item for a refusal (OFF as shipped).
    """
    lead_form = default_registry().get("case_lead")
    files = load_files(BPMN)
    if catalogue:
        files = with_dishonesty_catalogue(files)
    return Scenario(files, PROCESS, lead_form.validate(start, now=now), now=now)


CATALOGUE_ITEM = "拒不履行责令改正决定（公共信用信息目录 第X项）"


def with_dishonesty_catalogue(files: dict[str, str]) -> dict[str, str]:
    """The shipped files with case_dishonesty_catalogue.dmn switched on for load-bearing cases."""
    table = files["case_dishonesty_catalogue.dmn"]
    switched = table.replace(
        '<outputEntry id="rule_load_bearing_dishonesty_record_enabled">\n          <text>False</text>',
        '<outputEntry id="rule_load_bearing_dishonesty_record_enabled">\n          <text>True</text>',
    ).replace('"（待确认）拒不履行责令改正决定 [?]"', f'"{CATALOGUE_ITEM}"')
    assert switched.count("<text>True</text>") == 1
    return files | {"case_dishonesty_catalogue.dmn": switched}


def lead(received_at: datetime, **changes: object) -> dict[str, object]:
    """Return start data for a lead reported by a property company (物业报告), as the API receives it."""
    data: dict[str, object] = {
        "lead_no": "XS2025-0926-001",
        "source_channel": "property_report",
        "received_at": received_at.isoformat(),
        "reporter_name": "王经理",
        "reporter_phone": "13912345678",
        "reporter_confidential": True,
        "address": "嘉定区菊园新区嘉唐公路某小区12号301室",
        "description": "业主装修时拆除客厅承重墙",
    }
    return data | changes


# -- stage 1 发现认定 ---------------------------------------------------------------------------


def assign(s: Scenario, now: datetime) -> None:
    fill(
        s,
        "assign_officers",
        {"handling_squad": "菊园新区中队", "case_officers": OFFICERS, "assigned_at": now},
        now,
    )


def inspect(s: Scenario, now: datetime, *, entered: bool = True) -> None:
    found = {
        "entry_result": "entered",
        "present_party_role": "owner",
        "damages": [
            {
                "part": "客厅与餐厅间墙体",
                "component": "wall",
                "size": "2.0m×1.5m",
                "area_m2": Decimal("3.00"),
            },
            {"part": "主卧门洞", "component": "opening_enlarged", "area_m2": Decimal("0.50")},
        ],
        "works_status": "ongoing",
    }
    record = {
        "inspected_at": now,
        "inspection_location": "某小区12号301室",
        "inspectors_cert_shown": True,
        "entry_result": "refused",
        "inspection_record_files": ["att-inspection-record"],
        "site_media": ["att-bodycam-video"],
    }
    fill(s, "inspect_site", record | found if entered else record, now)


def serve_talk_notice(s: Scenario, served: date) -> None:
    notice = {
        "talk_notice_no": "嘉城管谈〔2025〕17号",
        "talk_notice_served_on": served,
        "talk_notice_service_method": "via_property",
        "entry_help_from": ["property", "residents_committee"],
        "entry_help_contact": "物业客服主管",
        "talk_notice_files": ["att-talk-notice"],
    }
    fill(s, "issue_talk_notice", notice, at(served, 16))


def stop_works(s: Scenario, now: datetime) -> None:
    order = {
        "stop_order_no": "嘉城管停〔2025〕9号",
        "stop_ordered_at": now,
        "stop_order_targets": ["owner", "contractor"],
        "stop_order_content": "立即停止拆改承重墙体",
        "works_stopped": True,
        "stop_order_files": ["att-stop-order"],
    }
    fill(s, "order_stop_work", order, now)


def ask_for_structure_info(s: Scenario, sent: date) -> None:
    notice = {
        "assist_recipient_kind": "property_company",
        "assist_recipient_name": "某物业服务有限公司",
        "assist_notice_sent_on": sent,
        "assist_items": ["owner_info", "structure_drawing"],
        "assist_notice_files": ["att-assist-notice"],
    }
    fill(s, "request_structure_info", notice, at(sent, 11))


def record_structure_info(s: Scenario, replied: date) -> None:
    info = {
        "assist_replied_on": replied,
        "house_owner_name": "赵某",
        "house_owner_phone": "13700001111",
        "property_unit_no": "310114001001GB00012F00010301",
        "house_structure_type": "brick_concrete",
        "house_built_year": 1998,
        "house_floors": 6,
        "structure_drawing_files": ["att-structure-drawing"],
    }
    fill(s, "record_structure_info", info, at(replied, 15))


def appraise(
    s: Scenario,
    commissioned: date,
    reported: date,
    *,
    load_bearing: bool,
    grade: int | None,
    places: int,
    area: str,
) -> None:
    commission = {
        "appraisal_body": "同济大学房屋质量检测站",
        "appraisal_commission_no": "嘉城管委〔2025〕5号",
        "appraisal_commissioned_on": commissioned,
        "appraisal_items": ["load_bearing", "hazard_grade"],
        "appraisal_fee_borne_by": "agency",
        "appraisal_commission_files": ["att-commission"],
    }
    fill(s, "commission_appraisal", commission, at(commissioned, 10))
    result = {
        "appraisal_report_no": "TJ-2025-0415",
        "appraisal_report_on": reported,
        "is_load_bearing": load_bearing,
        "hazard_grade": grade,
        "damaged_places": places,
        "damaged_area_m2": Decimal(area),
        "appraisal_conclusion": "被拆改墙体为承重墙" if load_bearing else "被拆改墙体为非承重填充墙",
        "appraisal_report_files": ["att-appraisal-report"],
    }
    fill(s, "record_appraisal_result", result, at(reported, 15))


def determine(s: Scenario, day: date, determination: str) -> None:
    opinion = {"violation": "构成损坏房屋承重结构", "not_load_bearing": "拆除的为非承重墙，不构成"}[
        determination
    ]
    fill(
        s,
        "determine_violation",
        {"determination": determination, "determination_opinion": opinion, "determined_on": day},
        at(day, 10),
    )


def notify_consequences(s: Scenario, now: datetime) -> None:
    told = {
        "consequences_notified_at": now,
        "consequences_notice_method": "in_person",
        "annotation_risk_notified": True,
        "credit_risk_notified": True,
        "party_response": "表示愿意配合",
        "consequences_record_files": ["att-talk-record"],
    }
    fill(s, "notify_consequences", told, now)


def close_lead(s: Scenario, day: date, reason: str, summary: str) -> None:
    closure = {"lead_closure_reason": reason, "lead_closure_summary": summary, "lead_closed_on": day}
    fill(s, "close_lead", closure, at(day, 10))
    approval = {"lead_closure_decision": "approve", "lead_closure_decided_on": day}
    fill(s, "approve_lead_closure", approval, at(day, 16))


# -- stage 2 立案调查 ---------------------------------------------------------------------------

PARTY = {
    "case_cause": "损坏房屋承重结构案",
    "party_type": "individual",
    "party_role": "owner",
    "party_name": "赵某",
    "party_id_number": make_id_card("31011419800101123"),
    "party_address": "嘉定区菊园新区嘉唐公路某小区12号301室",
    "party_phone": "13700001111",
    "violation_address": "嘉定区菊园新区嘉唐公路某小区12号301室",
    "violation_facts": "当事人在装修过程中擅自拆除客厅承重墙体并扩大主卧门洞",
    "legal_basis": "《上海市住宅物业管理规定》第五十六条第二款第（一）项、第八十三条",
}


def file_case(s: Scenario, requested: date, approved: date, *, ended: date | None = None) -> None:
    """立案审批表, the squad leader approves, the clerk registers the case and it gets its number."""
    request = PARTY | {
        "violation_discovered_on": requested - timedelta(days=30),
        "violation_ended_on": ended,
        "filing_requested_on": requested,
    }
    fill(s, "request_filing", request, at(requested, 10))
    approval = {"filing_decision": "approve", "filing_opinion": "同意立案", "filing_approved_on": approved}
    fill(s, "approve_filing", approval, at(approved, 10))
    assert s.task("register_case").role == "clerk"  # numbering is the clerk's job; a refusal takes no number
    fill(s, "register_case", {"case_registered_on": approved}, at(approved, 15))


def interview(s: Scenario, now: datetime, *, more: bool) -> None:
    record = {
        "interviewee_name": "赵某",
        "interviewee_role": "party",
        "interviewed_at": now,
        "interview_place": "菊园新区中队询问室",
        "interviewers": OFFICERS,
        "interview_summary": "当事人承认为扩大客厅空间拆除墙体",
        "interviewee_signed": True,
        "interview_record_files": [f"att-interview-{now:%m%d}"],
        "more_interviews": more,
    }
    fill(s, "record_interview", record, now)


def list_evidence(s: Scenario, day: date) -> None:
    item = {
        "evidence_type": "appraisal",
        "evidence_description": "房屋质量检测报告",
        "evidence_files": ["att-e1"],
    }
    fill(s, "record_evidence", {"case_evidence": [item], "evidence_listed_on": day}, at(day, 11))


def order_correction(s: Scenario, drafted: date, served: date, deadline: date) -> None:
    draft = {
        "rect_order_content": "立即停止违法行为，恢复房屋承重结构原状",
        "restoration_requirements": "由具备资质的单位设计加固方案并施工，完工后提交检测机构出具的恢复报告",
        "rectification_deadline": deadline,
    }
    fill(s, "draft_rectification_order", draft, at(drafted, 14))
    approval = {"rect_order_decision": "approve", "rect_order_approved_on": drafted}
    fill(s, "approve_rectification_order", approval, at(drafted, 16))
    service = {
        "rect_order_served_on": served,
        "rect_order_service_method": "direct",
        "rect_order_receipt_files": ["att-rect-receipt"],
    }
    fill(s, "serve_rectification_order", service, at(served, 10))


# -- stage 3 整改修复 ---------------------------------------------------------------------------


def follow_up(s: Scenario, now: datetime, result: str, *, extension_until: date | None = None) -> None:
    record: dict[str, object] = {
        "rect_followup_at": now,
        "rect_followup_result": result,
        "rect_followup_files": [f"att-followup-{now:%m%d}"],
    }
    if extension_until:
        record |= {
            "rect_extension_requested": True,
            "rect_extension_reason": "加固材料采购周期长",
            "rect_extension_until": extension_until,
        }
    fill(s, "record_followup", record, now)


def inspect_at_deadline(s: Scenario, now: datetime, result: str) -> None:
    record = {
        "overdue_inspected_at": now,
        "overdue_result": result,
        "party_refusal_stated": result == "not_rectified",
        "overdue_party_statement": "不同意恢复",
        "overdue_files": ["att-overdue"],
    }
    fill(s, "record_overdue_inspection", record, now)


def annotate_house(s: Scenario, days: list[date]) -> None:
    """A1: request, squad leader and deputy head approve, letter, registry receipt, party told."""
    drafted, leader, deputy, sent, registered, told = days
    fill(
        s,
        "draft_annotation_request",
        {
            "annotation_property_location": PARTY["violation_address"],
            "annotation_unit_no": "310114001001GB00012F00010301",
            "annotation_right_holder": "赵某",
            "annotation_reason": "责令改正期限届满拒不恢复承重结构",
            "annotation_evidence_files": ["att-overdue"],
            "annotation_requested_on": drafted,
        },
        at(drafted, 14),
    )
    fill(
        s,
        "approve_annotation_leader",
        {"annotation_leader_decision": "approve", "annotation_leader_decided_on": leader},
        at(leader, 10),
    )
    assert s.task("approve_annotation_deputy").role == "deputy_head"
    fill(
        s,
        "approve_annotation_deputy",
        {"annotation_deputy_decision": "approve", "annotation_deputy_decided_on": deputy},
        at(deputy, 10),
    )
    fill(
        s,
        "send_annotation_letter",
        {
            "annotation_registry": "嘉定区不动产登记事务中心",
            "annotation_letter_sent_on": sent,
            "annotation_letter_files": ["att-annotation-letter"],
        },
        at(sent, 10),
    )
    fill(
        s,
        "record_annotation_receipt",
        {
            "annotation_registered_on": registered,
            "annotation_reg_no": "ZJ-2026-0007",
            "annotation_receipt_files": ["att-annotation-receipt"],
        },
        at(registered, 15),
    )
    fill(
        s,
        "notify_party_annotation",
        {
            "annotation_party_notified_on": told,
            "annotation_notice_method": "written",
            "annotation_lift_conditions": "恢复承重结构并经验收合格后解除",
        },
        at(told, 10),
    )


def record_dishonesty(s: Scenario, requested: date, approved: date, served: date, reviewed: date) -> None:
    """B1: approved, notified to the party, pushed only after the statement period and its review."""
    fill(
        s,
        "request_dishonesty_record",
        {
            "credit_record_content": "拒不履行责令改正决定",
            "credit_record_basis": "《上海市社会信用条例》",
            "credit_record_requested_on": requested,
        },
        at(requested, 15),
    )
    fill(
        s,
        "approve_dishonesty_record",
        {"credit_record_decision": "approve", "credit_record_decided_on": approved},
        at(approved, 11),
    )
    hear_the_party_on_dishonesty(s, served, reviewed, "maintain")
    fill(
        s,
        "record_dishonesty_push",
        {
            "dishonesty_pushed_on": reviewed,
            "dishonesty_platform": "上海市公共信用信息服务平台",
            "dishonesty_push_receipt_no": "XY-2026-0031",
        },
        at(reviewed, 15),
    )


def hear_the_party_on_dishonesty(s: Scenario, served: date, reviewed: date, conclusion: str) -> None:
    """Prior notice served; the statement period runs out (its timer); the squad leader reviews."""
    notice = {
        "dishonesty_notice_served_on": served,
        "dishonesty_notice_method": "direct",
        "dishonesty_notice_files": ["att-credit-notice"],
    }
    fill(s, "notify_party_dishonesty", notice, at(served, 10))
    assert "record_dishonesty_push" not in s.open()
    period_ends = {t.bpmn_id: t.due_at for t in s.instance.timers()}["timer_dishonesty_statement"]
    assert s.advance_to(period_ends) == ["timer_dishonesty_statement"]
    review = {
        "dishonesty_statement_made": conclusion == "withdraw",
        "dishonesty_statement_summary": "已于期限届满前恢复部分结构" if conclusion == "withdraw" else None,
        "dishonesty_statement_conclusion": conclusion,
        "dishonesty_statement_reviewed_on": reviewed,
    }
    assert s.task("record_dishonesty_statement").role == "squad_leader"
    fill(s, "record_dishonesty_statement", review, at(reviewed, 11))


# -- stage 4 验收结案 ---------------------------------------------------------------------------


def state_discretion_factors(s: Scenario, day: date) -> None:
    factors = {
        "mitigating_circumstances": False,
        "aggravating_circumstances": False,
        "other_factor_grade": 0,
        "serious_proposed": False,
        "discretion_factors_on": day,
    }
    fill(s, "record_discretion_factors", factors, at(day, 10))


def report_repair(s: Scenario, day: date) -> None:
    report = {
        "repair_report_no": "TJ-HF-2025-118",
        "repair_report_body": "同济大学房屋质量检测站",
        "repair_report_on": day,
        "repair_report_conclusion": "已恢复原承重结构，满足安全使用要求",
        "repair_contractor": "某建筑加固工程有限公司",
        "repair_report_files": ["att-repair-report"],
    }
    fill(s, "record_repair_report", report, at(day, 10))


def accept(s: Scenario, now: datetime, result: str = "passed", rework_deadline: date | None = None) -> None:
    check = {
        "acceptance_inspected_at": now,
        "acceptance_result": result,
        "acceptance_files": ["att-acceptance"],
        "acceptance_rework_deadline": rework_deadline,
    }
    fill(s, "accept_repair", check, now)


def close_case(s: Scenario, days: list[date], reason: str, summary: str) -> None:
    drafted, leader, deputy = days
    fill(
        s,
        "draft_closure_report",
        {"case_closure_reason": reason, "case_closure_summary": summary, "closure_drafted_on": drafted},
        at(drafted, 10),
    )
    fill(
        s,
        "approve_closure_leader",
        {"closure_leader_decision": "approve", "closure_leader_decided_on": leader},
        at(leader, 10),
    )
    fill(
        s,
        "approve_closure_deputy",
        {"closure_deputy_decision": "approve", "closure_approved_on": deputy},
        at(deputy, 10),
    )


def archive(s: Scenario, day: date) -> None:
    fill(
        s,
        "archive_case",
        {
            "archive_file_no": "嘉城管档〔2026〕57号",
            "archive_retention": "long_term",
            "archive_pages": 86,
            "archived_on": day,
        },
        at(day, 10),
    )


def follow_restoration(s: Scenario, now: datetime, progress: str) -> None:
    record = {
        "restoration_followup_at": now,
        "restoration_progress": progress,
        "restoration_files": [f"att-restoration-{now:%m%d}"],
    }
    fill(s, "record_restoration_followup", record, now)


def lift_annotation(s: Scenario, signed: date, sent: date, lifted: date) -> None:
    """A2: after acceptance the squad leader signs the lifting letter; the registry confirms."""
    fill(
        s,
        "issue_annotation_lift_letter",
        {"annotation_lift_signed_on": signed},
        at(signed, 15),
    )
    fill(
        s,
        "send_annotation_lift_letter",
        {"annotation_lift_sent_on": sent, "annotation_lift_files": ["att-lift-letter"]},
        at(sent, 10),
    )
    fill(
        s,
        "record_annotation_lift_receipt",
        {"annotation_lifted_on": lifted, "annotation_lift_receipt_files": ["att-lift-receipt"]},
        at(lifted, 15),
    )


def repair_credit(s: Scenario, issued: date, deleted: date, deletion_due: date) -> None:
    """B3: written proof of performance; the platform deletes the record within 3 working days."""
    fill(
        s,
        "issue_credit_repair_proof",
        {
            "credit_repair_proof_no": "嘉城管信修〔2026〕3号",
            "credit_repair_proof_issued_on": issued,
            "credit_repair_proof_files": ["att-credit-proof"],
        },
        at(issued, 10),
    )
    assert s.task("record_credit_deletion").due_at == end_of(deletion_due)
    fill(s, "record_credit_deletion", {"credit_repair_deleted_on": deleted}, at(deleted, 16))


# -- C 罚款处罚: the real penalty_procedure, steps shared with its own tests ------------------------


def nothing_in_yet(s: Scenario, day: date, window_ends: date) -> None:
    """The officer finds no statement and no hearing request yet; the task waits for the window to close."""
    assert s.task("record_party_response").due_at == end_of(window_ends)  # 5 working days (第六十四条)
    respond(s, day)


def wait_out_the_hearing_window(s: Scenario, window_ends: date, recorded: date) -> None:
    """Nothing arrives within the window: the hearing is waived by silence."""
    assert s.advance_to(end_of(window_ends) - timedelta(minutes=1)) == []
    assert s.advance_to(end_of(window_ends)) == ["timer_hearing_window"]
    respond(s, recorded)
    assert s.data["hearing_status"] == "waived"


def decide_and_collect(
    s: Scenario, decided: date, served: date, paid: date, *, credit_push: bool
) -> dict[str, Any] | None:
    """负责人决定 → 决定书 → 送达 → 处罚信息归集 (B2, not for a party who restored on time) → 缴款.

    Returns the payload of the publicity start the (emulated) router answered.
    """
    decide(s, decided)
    issue_decision(s, decided)
    publicity = serve(s, served)
    assert ("record_credit_push" in s.open()) is credit_push
    if credit_push:
        push_credit(s, served)
    pay(s, "record_payment", paid)
    return publicity


# -- the patrol lead of the refusal scenarios ------------------------------------------------


def patrol_lead() -> dict[str, object]:
    """A lead found on patrol (巡查发现): nobody to answer."""
    return lead(
        at(date(2025, 11, 3), 10),
        lead_no="XS2025-1103-004",
        source_channel="patrol",
        reporter_name=None,
        reporter_phone=None,
    )


def refuse_entry_once(s: Scenario) -> None:
    """First visit refused: 谈话通知书, 物业/居委 asked to help, the next visit 2 working days later."""
    inspect(s, at(date(2025, 11, 3), 14), entered=False)
    serve_talk_notice(s, date(2025, 11, 4))
    assert s.data["entry_attempts"] == 1
    retry = {t.bpmn_id: t.due_at for t in s.instance.timers()}["timer_entry_retry"]
    assert retry == at(date(2025, 11, 6), 0)
    assert s.advance_to(at(date(2025, 11, 6), 0)) == ["timer_entry_retry"]
    assert s.task("inspect_site").due_at == end_of(date(2025, 11, 6))


def confirm_violation(s: Scenario, visit: datetime) -> None:
    """Inside at last: stop the works, get the drawings; the appraisal: 2 places, 5.2 m², grade 2."""
    inspect(s, visit)
    stop_works(s, visit + timedelta(minutes=30))
    ask_for_structure_info(s, visit.date())
    record_structure_info(s, date(2025, 11, 14))
    appraise(s, date(2025, 11, 14), date(2025, 11, 20), load_bearing=True, grade=2, places=2, area="5.20")
    determine(s, date(2025, 11, 21), "violation")
    notify_consequences(s, at(date(2025, 11, 21), 14))


def file_and_order(s: Scenario) -> None:
    """Filed 2025-11-25, two interviews, order to correct by 2025-12-26 served on 2025-12-01."""
    file_case(s, date(2025, 11, 24), date(2025, 11, 25))
    interview(s, at(date(2025, 11, 26), 9), more=True)
    interview(s, at(date(2025, 11, 27), 9), more=False)
    list_evidence(s, date(2025, 11, 28))
    order_correction(s, date(2025, 11, 28), date(2025, 12, 1), deadline=date(2025, 12, 26))


def extend_once(s: Scenario) -> None:
    """The party asks for more time; the squad leader grants it up to the latest date that keeps 90 days."""
    follow_up(s, at(date(2025, 12, 15), 10), "in_progress", extension_until=date(2026, 1, 9))
    assert s.task("approve_extension").due_at == end_of(date(2025, 12, 26))  # before the running deadline
    approval = {
        "rect_extension_decision": "approve",
        "rect_extension_new_deadline": date(2026, 1, 9),
        "rect_extension_opinion": "同意延期",
        "rect_extension_decided_on": date(2025, 12, 16),
    }
    fill(s, "approve_extension", approval, at(date(2025, 12, 16), 10))
    assert "approve_extension_deputy" not in s.open()  # not past rectification_latest_on
    assert s.data["extensions"] == [
        {
            "previous_deadline": date(2025, 12, 26),
            "new_deadline": date(2026, 1, 9),
            "reason": "加固材料采购周期长",
            "approved_on": date(2025, 12, 16),
        }
    ]


def warn_the_officer(s: Scenario, day: date) -> None:
    """The case clock's warning: the squad leader urges the officer (行政处罚法第六十条)."""
    warning = s.task("warn_case_clock")
    assert (warning.role, warning.legal_basis) == ("squad_leader", "《中华人民共和国行政处罚法》第六十条")
    assert warning.due_at == end_of(s.data["rectification_latest_on"])
    note = {
        "case_escalation_action": "urged",
        "case_escalation_note": "督促复查，准备处罚材料",
        "case_escalated_on": day,
    }
    fill(s, "warn_case_clock", note, at(day, 9))


def filed_and_ordered(*, catalogue: bool = False) -> Scenario:
    """A patrol lead confirmed on the first visit, filed 2025-11-25, ordered to restore by 2025-12-26."""
    s = receive(patrol_lead(), at(date(2025, 11, 3), 10), catalogue=catalogue)
    assign(s, at(date(2025, 11, 3), 11))
    confirm_violation(s, at(date(2025, 11, 3), 14))
    file_and_order(s)
    return s
