"""Shared steps of the `complaint_handling` scenario tests: work orders, forms, one helper per task."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from forms import default_registry
from tests.workflows.scenario import Scenario, load_files
from workflows import CHINA_TZ

BPMN = Path(__file__).parents[2] / "bpmn"
PROCESS = "complaint_handling"
CASE_INSTANCE_ID = 4711
CASE_NO = "嘉城管立〔2025〕88号"


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """Return a China-time instant on `day`."""
    return datetime.combine(day, time(hour, minute), CHINA_TZ)


def end_of(day: date) -> datetime:
    """Return the last second of `day` in China time (when a working-day deadline expires)."""
    return datetime.combine(day, time(23, 59, 59), CHINA_TZ)


def work_order(dispatched_at: datetime, **changes: object) -> dict[str, object]:
    """Return a 12345 complaint work order as the hotline dispatches it."""
    order: dict[str, object] = {
        "work_order_no": "2025092612345001",
        "channel": "12345",
        "dispatched_at": dispatched_at,
        "order_type": "complaint",
        "urgency": "normal",
        "reporter_name": "王女士",
        "reporter_phone": "13812345678",
        "reporter_confidential": False,
        "address": "嘉定区叶城路1号301室",
        "content": "楼上住户装修时拆除承重墙，墙体开裂",
    }
    return order | changes


# -- steps -----------------------------------------------------------------------------------


def fill(s: Scenario, bpmn_id: str, data: Mapping[str, Any], now: datetime) -> None:
    """Validate `data` with the task's form, as the service does, then complete the task."""
    form = default_registry().get(s.task(bpmn_id).form_key or "")
    s.complete(bpmn_id, form.validate(data, now=now), now=now)


def receive(order: dict[str, object]) -> Scenario:
    """Start the process with the dispatched order; the liaison confirms it in 登记工单."""
    received = order["dispatched_at"]
    assert isinstance(received, datetime)
    s = Scenario(load_files(BPMN), PROCESS, order, now=received)
    fill(s, "register_work_order", order, received)
    return s


CONTACTED = {
    "contact_method": "phone",
    "contact_reached": True,
    "demand_confirmed": "确认承重墙被拆除，要求制止",
}
INSPECTORS = [{"name": "李明", "card_no": "31010001"}, {"name": "张华", "card_no": "31010002"}]
CHECKED = {
    "inspectors": INSPECTORS,
    "check_conclusion": "substantiated",
    "check_record": "客厅承重墙开洞约2㎡",
    "evidence": ["att-photo-1"],
}
REPLIED = {"reply_method": "phone", "reply_content": "已核查并责令恢复原状"}
DISSATISFIED = {
    "satisfaction": "dissatisfied",
    "resolved": "unresolved",
    "dissatisfaction_reason": "仍在施工",
}


def accept(s: Scenario, now: datetime) -> None:
    fill(s, "review_remit", {"remit_decision": "accept"}, now)
    fill(s, "sign_and_assign", {"signed_at": now, "assigned_squad": "嘉定镇街道中队"}, now)


def contact(s: Scenario, now: datetime) -> None:
    fill(s, "first_contact", CONTACTED | {"contacted_at": now}, now)


def check_site(s: Scenario, now: datetime) -> None:
    fill(s, "on_site_check", CHECKED | {"checked_at": now}, now)


def decide(s: Scenario, method: str, now: datetime, *, needs_extension: bool = False) -> None:
    decision = {"handling_method": method, "handling_detail": "当场制止", "needs_extension": needs_extension}
    fill(s, "decide_handling", decision, now)


def reply(s: Scenario, now: datetime, task: str = "reply_work_order") -> None:
    fill(s, task, REPLIED | {"replied_at": now}, now)


def visit(s: Scenario, satisfaction: str, now: datetime) -> None:
    satisfied = {"satisfaction": satisfaction, "resolved": "resolved"}
    result = DISSATISFIED if satisfaction == "dissatisfied" else satisfied
    fill(s, "visit_reporter", result | {"visited_at": now}, now)


def escalate(s: Scenario, task: str, now: datetime) -> None:
    fill(s, task, {"escalation_opinion": "请今日内办结", "escalated_at": now}, now)


def handle_until_reply(s: Scenario, day: date) -> None:
    """先行联系, 现场核查 and 责令改正 on one day."""
    contact(s, at(day, 10))
    check_site(s, at(day, 14))
    decide(s, "order_correction", at(day, 15))


def open_case(order: dict[str, object], day: date, conversion: Mapping[str, Any] | None = None) -> Scenario:
    """Receive, accept, contact and check an order on `day`, then turn it into a case (诉转案).

    `conversion` is the 诉转案 form (case type and, for types other than load-bearing, the filing data);
    by default a load-bearing case.
    """
    s = receive(order)
    accept(s, at(day, 9, 30))
    contact(s, at(day, 10))
    check_site(s, at(day, 14))
    decide(s, "to_case", at(day, 15))
    fill(s, "choose_case_type", conversion or {"case_type": "load_bearing"}, at(day, 15, 10))
    return s


def router_starts_case(s: Scenario) -> dict[str, Any]:
    """Emulate the router: take the thrown start message and return its payload."""
    (message,) = s.instance.thrown_messages()
    assert message.name == "start.load_bearing_case"
    assert isinstance(message.payload, dict)
    return message.payload


def send(s: Scenario, name: str, payload: dict[str, object], now: datetime) -> None:
    s.advance_to(now)  # round-trips the saved state first, as the service would load it
    s.instance.send_message(name, payload, now)


def case_started(s: Scenario, now: datetime) -> None:
    send(s, "started.load_bearing_case", {"instance_id": CASE_INSTANCE_ID, "case_no": CASE_NO}, now)


def case_closed(s: Scenario, now: datetime) -> None:
    payload = {
        "target_instance_id": 1,
        "case_no": CASE_NO,
        "closure_reason": "restored",
        "outcome_summary": "当事人已恢复承重墙原状，经检测合格，处罚款三万元",
    }
    send(s, "case_closed", payload, now)
