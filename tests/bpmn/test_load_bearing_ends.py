"""损坏房屋承重结构 (`load_bearing_case`): the cases that end early — 移送公安 and 终止.

移送公安 (《行政执法机关移送涉嫌犯罪案件的规定》第五条): from 立案调查, 整改修复 or 验收结案 the officer
reports a suspected crime; the bureau head decides within 3 calendar days of the report; approved, the
case goes to the police within 24 hours of the approval and ends as `transferred_police`. 终止 (the party
died or was dissolved with no successor) ends the case as `terminated`, distinct from 撤案. Neither
leaves work behind in an inbox; a rejected request leaves the case running as before.
"""

from __future__ import annotations

from datetime import date, datetime

from tests.bpmn.steps_case import (
    BPMN,
    COMPLAINT_INSTANCE_ID,
    PROCESS,
    assign,
    at,
    confirm_violation,
    end_of,
    file_and_order,
    filed_and_ordered,
    fill,
)
from tests.bpmn.steps_case_ends import terminate
from tests.bpmn.steps_complaint import open_case, router_starts_case, send, work_order
from tests.workflows.scenario import Scenario, load_files
from workflows import CHINA_TZ, InstanceStatus


def report_crime(s: Scenario, day: date) -> None:
    send(s, "suspected_crime", {"by": "承办人"}, at(day, 9))
    report = {
        "police_transfer_facts": "拆除承重墙致楼板开裂，造成重大安全事故隐患，涉嫌重大责任事故罪",
        "police_transfer_requested_on": day,
        "police_transfer_files": ["att-crime-report"],
    }
    fill(s, "request_police_transfer", report, at(day, 10))


def decide_transfer(s: Scenario, decision: str, moment: datetime) -> None:
    fill(
        s,
        "approve_police_transfer",
        {"police_transfer_decision": decision, "police_transfer_decided_at": moment},
        moment,
    )


def test_a_suspected_crime_is_decided_in_three_days_transferred_in_24_hours_and_ends_the_case() -> None:
    s = filed_and_ordered()
    report_crime(s, date(2025, 12, 10))
    assert "record_followup" in s.open()  # the case goes on while the bureau head decides
    approval = s.task("approve_police_transfer")
    assert (approval.role, approval.legal_basis) == (
        "bureau_head",
        "《行政执法机关移送涉嫌犯罪案件的规定》第五条",
    )
    assert approval.due_at == end_of(date(2025, 12, 13))  # three calendar days, Saturday included
    decided = datetime(2025, 12, 11, 15, 30, tzinfo=CHINA_TZ)
    decide_transfer(s, "approve", decided)
    transfer = s.task("transfer_to_police")
    assert transfer.due_at == datetime(2025, 12, 12, 15, 30, tzinfo=CHINA_TZ)  # 24 hours, to the minute
    fill(
        s,
        "transfer_to_police",
        {
            "police_station": "嘉定公安分局",
            "police_transferred_at": datetime(2025, 12, 12, 10, 0, tzinfo=CHINA_TZ),
            "police_transfer_letter_files": ["att-transfer-letter"],
        },
        at(date(2025, 12, 12), 10),
    )
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert s.open() == {}
    assert (s.data["closure_reason"], s.data["case_closure_reason"]) == (
        "transferred_police",
        "transferred_police",
    )


def test_a_transfer_the_bureau_head_does_not_approve_leaves_the_case_running() -> None:
    s = filed_and_ordered()
    report_crime(s, date(2025, 12, 10))
    decide_transfer(s, "reject", datetime(2025, 12, 11, 9, 0, tzinfo=CHINA_TZ))
    assert s.instance.status() is InstanceStatus.RUNNING
    assert set(s.open()) == {"record_followup"}


def test_a_case_whose_party_died_without_successor_is_terminated_not_withdrawn() -> None:
    s = filed_and_ordered()
    terminate(s)
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert s.open() == {}
    assert s.data["closure_reason"] == "terminated"


def test_a_case_from_a_complaint_ended_early_tells_the_complaint() -> None:
    complaint = open_case(work_order(at(date(2025, 11, 3))), date(2025, 11, 3))
    start = router_starts_case(complaint) | {"source_instance_id": COMPLAINT_INSTANCE_ID}
    s = Scenario(load_files(BPMN), PROCESS, start, now=at(date(2025, 11, 3), 10))
    assign(s, at(date(2025, 11, 3), 11))
    confirm_violation(s, at(date(2025, 11, 3), 14))
    file_and_order(s)
    terminate(s)
    assert s.instance.status() is InstanceStatus.COMPLETED
    (closed,) = s.instance.thrown_messages()
    assert (closed.name, closed.payload["target_instance_id"], closed.payload["closure_reason"]) == (
        "case_closed",
        COMPLAINT_INSTANCE_ID,
        "terminated",
    )
