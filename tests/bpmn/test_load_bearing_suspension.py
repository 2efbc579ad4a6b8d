"""损坏房屋承重结构 (`load_bearing_case`): 中止 of the case time limit (行政处罚法第六十条, calendar days).

Filed 2025-11-25 (decision due 2026-02-23, latest penalty start 2026-01-09, warning from 2025-12-30),
ordered to restore by 2025-12-26. A suspension on a reason listed in case_time_limit_suspension.dmn,
approved by the deputy head, pauses the rectification follow-up; on resumption the 90 days, the latest
penalty start and the warning move by the calendar days suspended, recorded in `time_limit_changes`.
"""

from __future__ import annotations

from datetime import date

from tests.bpmn.steps_case import at, end_of, extend_once, filed_and_ordered, fill
from tests.bpmn.steps_case_ends import ask_to_suspend, decide_suspension, resume


def test_an_approved_suspension_moves_the_90_days_the_latest_start_and_the_warning() -> None:
    s = filed_and_ordered()
    ask_to_suspend(s, "appraisal", since=date(2025, 12, 10), asked=date(2025, 12, 10))
    assert "record_followup" not in s.open()  # the follow-up pauses with the case
    decide_suspension(s, "approve", date(2025, 12, 11))
    assert s.data["case_clock_status"] == "suspended"
    assert s.open() == {}  # nothing in anyone's inbox while the case is suspended
    assert "timer_case_clock_warning" not in {t.bpmn_id for t in s.instance.timers()}
    assert s.advance_to(end_of(date(2025, 12, 31))) == []  # no warning while suspended
    resume(s, date(2026, 1, 9))  # 30 calendar days after 12-10
    assert s.data["case_clock_status"] == "running"
    assert (
        s.data["decision_due_on"],
        s.data["rectification_latest_on"],
        s.data["case_clock_warning_on"],
    ) == (
        date(2026, 3, 25),
        date(2026, 2, 8),
        date(2026, 1, 29),
    )
    (change,) = s.data["time_limit_changes"]
    assert (change["kind"], change["days"], change["previous_decision_due_on"], change["reason"]) == (
        "suspension",
        30,
        date(2026, 2, 23),
        "appraisal",
    )
    assert "检测" in change["basis"]
    # The follow-up resumes; the party's deadline (12-26) passed during the suspension, so the check is due.
    timers = {t.bpmn_id: t for t in s.instance.timers()}
    assert timers["timer_case_clock_warning"].due_at == end_of(date(2026, 1, 28))


def test_a_suspension_does_not_use_up_the_one_extension() -> None:
    s = filed_and_ordered()
    ask_to_suspend(s, "party_missing", since=date(2025, 12, 1), asked=date(2025, 12, 1))
    decide_suspension(s, "approve", date(2025, 12, 2))
    resume(s, date(2025, 12, 11))  # 10 days: latest start 01-19
    assert s.data["rectification_latest_on"] == date(2026, 1, 19)
    assert "record_followup" in s.open()
    follow = {
        "rect_followup_at": at(date(2025, 12, 15), 10),
        "rect_followup_result": "in_progress",
        "rect_followup_files": ["att-f"],
        "rect_extension_requested": True,
        "rect_extension_reason": "加固材料采购周期长",
        "rect_extension_until": date(2026, 2, 10),
    }
    fill(s, "record_followup", follow, at(date(2025, 12, 15), 10))
    approval = {
        "rect_extension_decision": "approve",
        "rect_extension_new_deadline": date(2026, 2, 10),
        "rect_extension_decided_on": date(2025, 12, 16),
    }
    fill(s, "approve_extension", approval, at(date(2025, 12, 16), 10))
    assert "approve_extension_deputy" in s.open()


def test_a_rejected_or_unlisted_suspension_leaves_the_time_limit_and_the_follow_up_as_they_were() -> None:
    s = filed_and_ordered()
    ask_to_suspend(s, "other", since=date(2025, 12, 10), asked=date(2025, 12, 10))
    assert "approve_case_suspension_deputy" not in s.open()  # not a listed reason: not put up
    assert s.task("record_followup").due_at == end_of(date(2025, 12, 26))
    ask_to_suspend(s, "appraisal", since=date(2025, 12, 11), asked=date(2025, 12, 11))
    decide_suspension(s, "reject", date(2025, 12, 12))
    assert s.task("record_followup").due_at == end_of(date(2025, 12, 26))
    assert (s.data["decision_due_on"], s.data["time_limit_changes"]) == (date(2026, 2, 23), [])


def test_an_extension_approved_before_a_suspension_is_kept_after_it() -> None:
    s = filed_and_ordered()
    extend_once(s)  # the party's deadline 12-26 -> 01-09
    ask_to_suspend(s, "appraisal", since=date(2025, 12, 17), asked=date(2025, 12, 17))
    decide_suspension(s, "approve", date(2025, 12, 18))
    resume(s, date(2025, 12, 19))  # 2 days: latest start 01-09 -> 01-11
    assert s.data["rectification_deadline"] == date(2026, 1, 9)  # shared: the interrupted stage's record
    assert [e["new_deadline"] for e in s.data["extensions"]] == [date(2026, 1, 9)]
    assert s.task("record_followup").due_at == end_of(date(2026, 1, 9))
    assert s.data["rectification_latest_on"] == date(2026, 1, 11)
