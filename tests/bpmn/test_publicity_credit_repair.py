"""B2 penalty-record credit repair (信用修复) in `enforcement_publicity`: once the fine is paid and the
minimum publication period has passed, the party may apply (staff record `credit_repair_applied`
{applied_on, paid_on, applicant, reason}); the legal section decides within the bureau's time limit
(publicity_credit_repair.dmn); on approval the publication ends early and the credit centre is told.
Basis: 《失信行为纠正后的信用信息修复管理办法（试行）》, 《上海市社会信用条例》 [K].
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from lxml import etree

from tests.bpmn.steps_publicity import INDIVIDUAL, at, complete, end_of, prepare_and_approve, publish, start
from tests.workflows.scenario import Scenario
from workflows import InstanceStatus

BPMN = Path(__file__).parents[2] / "bpmn"


def published() -> Scenario:
    """A 50,000-yuan fine decided Sunday 2025-09-28, published 10-09 (no credit push by the caller)."""
    s = start({**INDIVIDUAL, "credit_push_done_by_caller": True, "credit_pushed": True})
    prepare_and_approve(s, date(2025, 10, 9))
    publish(s, date(2025, 10, 9))
    assert s.open() == {}
    return s


def apply(s: Scenario, applied_on: date, paid_on: date | None) -> None:
    application: dict[str, Any] = {
        "applied_on": applied_on.isoformat(),
        "paid_on": paid_on.isoformat() if paid_on else None,
        "applicant": "张三",
        "reason": "已缴清罚款并恢复原状",
    }
    s.advance_to(at(applied_on, 9))
    s.instance.send_message("credit_repair_applied", application, at(applied_on, 9))


def decide(s: Scenario, on: date, decision: str = "approve") -> None:
    answer = {
        "credit_repair_decision": decision,
        "credit_repair_opinion": "已履行",
        "credit_repair_decided_on": on,
    }
    complete(s, "decide_credit_repair", on, **answer)


def test_a_paid_penalty_is_repaired_after_the_minimum_period_and_the_publication_ends_early() -> None:
    s = published()
    external = s.definition.external_messages["credit_repair_applied"]
    assert "msg_credit_repair_applied" in external.elements
    assert {"officer", "clerk"} <= set(external.sender_roles)
    apply(s, date(2026, 1, 5), paid_on=date(2025, 10, 10))  # 3 months from 09-28 ended 12-28
    task = s.task("decide_credit_repair")
    # 5 working days after Monday 2026-01-05 (publicity_credit_repair.dmn, to confirm).
    assert (task.role, task.due_at) == ("legal_reviewer", end_of(date(2026, 1, 12)))
    assert "信用信息修复" in (task.legal_basis or "")
    assert (s.data["credit_repair_eligible"], s.data["credit_repair_earliest_on"]) == (
        True,
        date(2025, 12, 28),
    )
    decide(s, date(2026, 1, 7))
    ending = s.task("end_publication_for_repair")
    assert (ending.role, ending.due_at) == ("clerk", end_of(date(2026, 1, 12)))
    done = {"repair_taken_down_on": date(2026, 1, 8), "credit_centre_repair_notified_on": date(2026, 1, 8)}
    complete(
        s, "end_publication_for_repair", date(2026, 1, 8), credit_centre_repair_notice=["att-notice"], **done
    )
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert "take_down_expired_record" not in s.steps  # ended early, not at the end of the 3 years


def test_an_early_or_unpaid_application_is_refused_and_the_publication_stays() -> None:
    s = published()
    apply(s, date(2025, 12, 20), paid_on=date(2025, 10, 10))
    assert s.data["credit_repair_eligible"] is False
    assert "最短公示期" in s.data["credit_repair_ineligible_reason"]
    decide(s, date(2025, 12, 22))  # even an approval cannot end it early
    assert s.open() == {}
    assert [t.bpmn_id for t in s.instance.timers()] == ["timer_publicity_expired"]  # still published
    apply(s, date(2026, 1, 6), paid_on=None)
    assert "罚款未缴清" in s.data["credit_repair_ineligible_reason"]
    decide(s, date(2026, 1, 7), "refuse")
    assert s.instance.status() is InstanceStatus.RUNNING


def test_the_deciding_role_in_the_table_is_the_role_of_the_decision_task() -> None:
    table = etree.parse(str(BPMN / "publicity_credit_repair.dmn"))
    (decider,) = table.xpath("//*[local-name()='outputEntry'][contains(@id, 'decider')]/*/text()")
    diagram = etree.parse(str(BPMN / "enforcement_publicity.bpmn"))
    (role,) = diagram.xpath(
        "//*[local-name()='userTask'][@id='decide_credit_repair']//*[@name='role']/@value"
    )
    assert decider.strip('"') == role
