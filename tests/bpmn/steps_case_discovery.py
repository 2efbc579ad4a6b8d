"""Shared steps of the 损坏房屋承重结构 (`load_bearing_case`) scenarios, stages 一 发现认定 and 二 立案调查:
each step completes one task as the service does (the form validates, numbers are allocated) on a real
date. `tests/bpmn/steps_case.py` re-exports them with the later stages' steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from forms import default_registry
from tests.bpmn.steps_penalty import (
    numbers_for,
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
