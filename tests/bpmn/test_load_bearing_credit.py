"""损坏房屋承重结构 (`load_bearing_case`): the 失信 record for a refusal to restore (B1) and its due process.

A dishonesty record needs an item of the public credit catalogue as its basis (《上海市社会信用条例》), named
in case_dishonesty_catalogue.dmn and OFF until the bureau confirms it; the party is told beforehand and
heard (国办发〔2020〕49号) before anything is pushed. Ordered to restore by 2025-12-26 and refused.
"""

from __future__ import annotations

from datetime import date

from tests.bpmn.steps_case import (
    CATALOGUE_ITEM,
    at,
    end_of,
    filed_and_ordered,
    fill,
    hear_the_party_on_dishonesty,
    inspect_at_deadline,
)
from tests.bpmn.steps_complaint import send
from tests.workflows.scenario import Scenario


def refused(*, catalogue: bool) -> Scenario:
    s = filed_and_ordered(catalogue=catalogue)
    assert s.advance_to(end_of(date(2025, 12, 26))) == ["timer_rectification_deadline"]
    inspect_at_deadline(s, at(date(2025, 12, 29), 10), "not_rectified")
    return s


def approve_the_record(s: Scenario) -> None:
    request = {
        "credit_record_content": "拒不履行责令改正决定",
        "credit_record_basis": CATALOGUE_ITEM,
        "credit_record_requested_on": date(2025, 12, 29),
    }
    fill(s, "request_dishonesty_record", request, at(date(2025, 12, 29), 15))
    approval = {"credit_record_decision": "approve", "credit_record_decided_on": date(2025, 12, 30)}
    fill(s, "approve_dishonesty_record", approval, at(date(2025, 12, 30), 10))


def test_without_a_confirmed_catalogue_item_a_refusal_brings_no_dishonesty_record() -> None:
    s = refused(catalogue=False)
    assert "draft_annotation_request" in s.open()  # the annotation still goes ahead
    assert "request_dishonesty_record" not in s.open()


def test_the_party_is_told_and_heard_before_the_push() -> None:
    s = refused(catalogue=True)
    approve_the_record(s)
    notice = s.task("notify_party_dishonesty")
    assert "国办发〔2020〕49号" in (notice.legal_basis or "")
    assert "record_dishonesty_push" not in s.open()
    assert s.data["dishonesty_catalogue_item"] == CATALOGUE_ITEM
    # Served on Wednesday 12-31: five working days (New Year 01-01..03 off, Sunday 01-04 works) end 01-08.
    notice_data = {
        "dishonesty_notice_served_on": date(2025, 12, 31),
        "dishonesty_notice_method": "direct",
        "dishonesty_notice_files": ["att-credit-notice"],
    }
    fill(s, "notify_party_dishonesty", notice_data, at(date(2025, 12, 31), 10))
    (period,) = [t for t in s.instance.timers() if t.bpmn_id == "timer_dishonesty_statement"]
    assert period.due_at == end_of(date(2026, 1, 8))
    assert s.advance_to(end_of(date(2026, 1, 8))) == ["timer_dishonesty_statement"]
    review = {
        "dishonesty_statement_made": False,
        "dishonesty_statement_conclusion": "maintain",
        "dishonesty_statement_reviewed_on": date(2026, 1, 9),
    }
    fill(s, "record_dishonesty_statement", review, at(date(2026, 1, 9), 10))
    assert "record_dishonesty_push" in s.open()


def test_a_founded_statement_stops_the_record() -> None:
    s = refused(catalogue=True)
    approve_the_record(s)
    hear_the_party_on_dishonesty(s, date(2025, 12, 31), date(2026, 1, 9), "withdraw")
    assert not {"record_dishonesty_push", "record_dishonesty_statement"} & set(s.open())


def pushed(s: Scenario) -> None:
    approve_the_record(s)
    hear_the_party_on_dishonesty(s, date(2025, 12, 31), date(2026, 1, 9), "maintain")
    push = {"dishonesty_pushed_on": date(2026, 1, 9), "dishonesty_platform": "上海市公共信用信息服务平台"}
    fill(s, "record_dishonesty_push", push, at(date(2026, 1, 9), 15))


def test_an_objection_is_decided_in_five_working_days_and_a_founded_one_deletes_the_record() -> None:
    s = refused(catalogue=True)
    pushed(s)
    send(s, "credit_objection", {"objector": "赵某", "objection": "已开始恢复"}, at(date(2026, 1, 12), 9))
    decision = s.task("decide_credit_objection")
    assert (decision.role, decision.legal_basis) == ("squad_leader", "《上海市社会信用条例》第三十六条")
    assert decision.due_at == end_of(date(2026, 1, 19))
    upheld = {
        "credit_objection_decision": "uphold",
        "credit_objection_reply": "经核查异议成立，删除失信信息",
        "credit_objection_decided_on": date(2026, 1, 13),
    }
    fill(s, "decide_credit_objection", upheld, at(date(2026, 1, 13), 10))
    deletion = s.task("delete_credit_record")
    assert (deletion.role, deletion.due_at) == ("officer", end_of(date(2026, 1, 16)))


def test_an_order_set_aside_deletes_the_record() -> None:
    s = refused(catalogue=True)
    pushed(s)
    send(s, "rectification_order_set_aside", {"ruling": "复议撤销责令改正通知书"}, at(date(2026, 1, 20), 9))
    assert s.task("delete_credit_record").legal_basis == "《上海市社会信用条例》第三十七条"
    fill(
        s, "delete_credit_record", {"credit_repair_deleted_on": date(2026, 1, 22)}, at(date(2026, 1, 22), 10)
    )
    assert "delete_credit_record" not in s.open()
