"""Shared steps of the `enforcement_publicity` scenario tests (行政执法公示).

Dates are real-calendar: the 2025 National Day holiday runs 10-01..10-08, with 调休 working days
on Sunday 2025-09-28 and Saturday 2025-10-11; New Year 2026 is off 01-01..01-03, with Sunday
2026-01-04 worked. Every step's data is first validated by the task's own form.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from forms import FormRegistry
from tests.bpmn import steps_penalty as penalty
from tests.workflows.scenario import Scenario, load_files
from workflows import CHINA_TZ

ROOT = Path(__file__).parents[2]
FORMS = FormRegistry.from_directory(ROOT / "forms" / "definitions")
FILES = load_files(ROOT / "bpmn")

PERSON_ID = "310114198503152413"  # born 1985-03-15
MINOR_ID = "310114200905010020"  # born 2009-05-01: 16 on the decision day
USCC = "91310114MA1GT3XK04"

INDIVIDUAL = {
    "case_no": "嘉城管案〔2025〕第0123号",
    "decision_no": "嘉城管罚决字〔2025〕第0123号",
    "decided_on": "2025-09-28",
    "party_type": "individual",
    "party_name": "张三",
    "party_id_number": PERSON_ID,
    "legal_representative": None,
    "party_address": "嘉定区叶城路1号301室",
    "violation_facts": "当事人在嘉定区叶城路1号301室装修时擅自拆除承重墙",
    "penalty_kind": "fine",  # the penalty procedure sends its form codes
    "legal_basis": "《上海市住宅物业管理规定》第五十六条第二款第一项、第八十三条",
    "fine_amount": Decimal("50000.00"),
    "performance_method": "自收到决定书之日起十五日内缴纳罚款",
    "deciding_organ": "上海市嘉定区城市管理行政执法局",
    "source_instance_id": 41,
}
ORGANIZATION = {
    **INDIVIDUAL,
    "party_type": "organization",
    "party_name": "上海某某装饰工程有限公司",
    "party_uscc": USCC,
    "legal_representative": "李四",
    "party_address": "嘉定区城中路2号",
    "penalty_kind": "warning",
    "fine_amount": None,
    "performance_method": "当场履行",
}
ORGANIZATION.pop("party_id_number")
PUBLISHED_FACTS = "当事人在嘉定区某小区住宅装修时擅自拆除承重墙"


def at(day: date, hour: int = 10) -> datetime:
    """Return `hour` o'clock China time on `day`."""
    return datetime.combine(day, time(hour), CHINA_TZ)


def end_of(day: date) -> datetime:
    """Return the deadline instant of `day`: 23:59:59 China time."""
    return datetime.combine(day, time(23, 59, 59), CHINA_TZ)


def start(payload: Mapping[str, Any]) -> Scenario:
    """Start the process as the penalty procedure's `start.enforcement_publicity` message does."""
    decided_on = payload["decided_on"]  # a date, or ISO text
    day = decided_on if isinstance(decided_on, date) else date.fromisoformat(decided_on)
    return Scenario(FILES, "enforcement_publicity", payload, now=at(day))


def complete(s: Scenario, bpmn_id: str, on: date, **data: Any) -> None:
    """Validate `data` with the open task's form, then complete the task on day `on`."""
    form = FORMS.get(s.task(bpmn_id).form_key)
    s.complete(bpmn_id, form.validate(data, now=at(on)), now=at(on))


def prepare_and_approve(s: Scenario, on: date, **prepare: Any) -> None:
    """The clerk prepares the record and 法制科 approves it."""
    complete(s, "prepare_publicity_record", on, published_facts=PUBLISHED_FACTS, **prepare)
    complete(s, "review_publicity_record", on, review_result="approve", review_opinion="同意公示")


def publish(s: Scenario, on: date) -> None:
    """The clerk publishes the approved record on the district portal."""
    where = {"publicity_channels": ["district_portal"], "publication_proof": ["att-publicity-page"]}
    complete(s, "publish_publicity_record", on, published_on=on, **where)


def publish_and_push(s: Scenario, on: date) -> None:
    """Approve, publish and push to the credit platform on day `on`."""
    prepare_and_approve(s, on)
    publish(s, on)
    complete(s, "push_to_credit_platform", on, credit_pushed_on=on, credit_receipt_no="SH-CREDIT-0001")


def decision_changed(s: Scenario, kind: str, changed_on: date) -> None:
    """Deliver the penalty procedure's `decision_changed` message."""
    payload = {
        "target_instance_id": 42,
        "change_kind": kind,
        "changed_on": changed_on.isoformat(),
        "reason": "复议",
    }
    s.instance.send_message("decision_changed", payload, at(changed_on, 15))


def withdraw(s: Scenario, on: date) -> None:
    """The clerk withdraws the record and publishes why."""
    explanation = "该处罚决定已被变更、撤销或确认违法，现撤回公示。"
    complete(s, "withdraw_publicity", on, withdrawn_on=on, withdrawal_explanation=explanation)


def request_deletion(s: Scenario, on: date) -> None:
    """The clerk asks the credit centre in writing to delete the record."""
    notice = {"deletion_notice_no": "嘉城管函〔2026〕1号", "deletion_notice": ["att-deletion-notice"]}
    complete(s, "request_credit_deletion", on, credit_deletion_requested_on=on, **notice)


def decide_non_publication(s: Scenario, decision: str, opinion: str) -> None:
    """The deputy head decides on the proposal not to publish."""
    answer = {"non_publication_decision": decision, "non_publication_opinion": opinion}
    complete(s, "approve_non_publication", date(2025, 9, 30), **answer)


def record_deletion(s: Scenario, on: date) -> None:
    """The clerk records the credit centre's confirmation."""
    complete(s, "record_credit_deletion", on, credit_deleted_on=on, deletion_confirmation="回执 XY-0007")


def penalty_served_and_publicity_started(**penalty_start: Any) -> tuple[Scenario, Scenario]:
    """A penalty decided 2025-09-10 and served 2025-09-16; the router starts publicity with its payload."""
    p = penalty.start(**penalty_start)
    payload = penalty.waived_case_served(p)  # the emulated router answers with PUBLICITY_INSTANCE_ID
    assert payload is not None
    source = {"source_instance_id": 41, "source_process": "penalty_procedure"}
    s = Scenario(FILES, "enforcement_publicity", {**payload, **source}, now=at(date(2025, 9, 16)))
    return p, s
