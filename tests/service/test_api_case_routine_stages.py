"""The routine branches of a load-bearing case over HTTP, on today's real date, in the stages added
by issue 9: 撤案 in stage 二 (after 立案, while the interviews run) and a 回避 whose new officers are in
the running case's data at once (what the case page and the open follow-up read), not only when it
ends."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.service import test_api_case_routine as routine
from tests.service import test_calendar_walk as real_clock

app = real_clock.app  # the fixture: the service with the bureau's forms and no pinned clock

NEW_OFFICERS = [
    {"officer_name": "钱七", "cert_no": "3101140077"},
    {"officer_name": "孙八", "cert_no": "3101140078"},
]
ANSWERS: dict[str, list[dict[str, Any]]] = {
    "record_case_withdrawal": [
        {"case_withdrawal_reason": "not_load_bearing", "case_withdrawal_note": "复核认定为非承重墙"}
    ],
    "record_recusal_request": [
        {
            "recusal_requested_by": "party",
            "recused_name": "张三",
            "recused_role": "officer",
            "recusal_reason": "与当事人系近亲属",
        }
    ],
    "decide_recusal_leader": [{"recusal_decision": "approve", "recusal_opinion": "存在利害关系"}],
    "reassign_case_officers": [{"case_officers": NEW_OFFICERS, "reassignment_note": "待办已指派给钱七"}],
}


def started_today(app: Flask, login: Any, until: str) -> tuple[real_clock.RealClockWalk, int]:
    """A load-bearing case started today and walked until the task `until` is open."""
    return routine.ordered_today(app, login, until, ANSWERS)


def test_a_case_is_withdrawn_in_stage_two_while_the_officer_interviews(app: Flask, login: Any) -> None:
    walk, case_id = started_today(app, login, "record_interview")
    assert walk.instance(case_id)["data"]["case_no"]  # filed: 立案 has taken its number
    assert routine.message(login("officer1"), case_id, "case_withdrawn").status_code == 403
    assert routine.message(login("deputy_head"), case_id, "case_withdrawn").status_code == 200
    assert routine.open_ids(walk, case_id) == ["record_case_withdrawal"]
    routine.do(walk, case_id, "record_case_withdrawal")
    closed = walk.instance(case_id)
    assert (closed["status"], closed["tasks"], closed["data"]["closure_reason"]) == (
        "completed",
        [],
        "withdrawn",
    )


def test_new_officers_after_a_recusal_are_in_the_running_case_at_once(app: Flask, login: Any) -> None:
    walk, case_id = started_today(app, login, "record_followup")
    assert routine.message(login("officer1"), case_id, "recusal_requested").status_code == 200
    for bpmn_id in ("record_recusal_request", "decide_recusal_leader", "reassign_case_officers"):
        routine.do(walk, case_id, bpmn_id)
    body = walk.instance(case_id)
    assert (body["status"], routine.open_ids(walk, case_id)) == ("running", ["record_followup"])
    assert body["data"]["case_officers"] == NEW_OFFICERS
    assert [r["replaced_by"] for r in body["data"]["recusals"]] == [["钱七", "孙八"]]
