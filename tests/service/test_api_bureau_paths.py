"""The bureau's scenario paths (b)–(f) over HTTP, on the real dates of the engine-level tests.

The engine tests (tests/bpmn/) walk these paths with exact data through small step helpers. Here the
same helpers write a `Plan` instead of driving the engine: each step becomes the task's answers and
the China-time instant it is done at. A `BureauWalk` then completes every task as the demo user of
its role, in time order, with the request clock pinned to that instant; where the law needs time to
pass with nothing to do, the walker moves the clock to the next timer and fires it. Numbers come from
the service (assignNumbers), attachments are uploaded for each task.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple
from unittest.mock import ANY

from flask import Flask

from forms import FieldType, default_registry
from forms.model import FieldDefinition
from service.jsonsafe import to_json_value
from tests.bpmn import steps_case as case
from tests.bpmn import steps_penalty as penalty
from tests.bpmn import test_major_decision_review as review
from tests.conftest import deploy_dir
from tests.service import test_api_bureau
from tests.service.bureau_walk import UPLOAD, BureauWalk
from tests.workflows.scenario import load_files
from workflows import CHINA_TZ, load_definitions

BPMN = Path(__file__).parents[2] / "bpmn"
DEFINITIONS = load_definitions(load_files(BPMN))
app = test_api_bureau.app  # the fixture: the service with the bureau's own forms, one user per role
UNPAID = {"payment_status": "unpaid", "remedy_proceedings": []}
HEARING_REFUSAL = {"hearing_refusal_notice_no": "听不〔2025〕1号", "hearing_refusal_reason": "逾期申请"}
EXTENSION_APPROVAL = {
    "rect_extension_decision": "approve",
    "rect_extension_new_deadline": date(2026, 1, 9),
    "rect_extension_opinion": "同意延期",
}


# -- the plan: engine-test steps recorded for the walker ------------------------------------------


class _Task(NamedTuple):
    """What the engine tests' helpers read from an open task (due dates are checked on the service)."""

    id: str
    bpmn_id: str
    process_id: str
    role: str | None
    form_key: str | None
    due_at: Any = ANY


class Plan:
    """Stands in for the engine tests' Scenario: their step helpers record answers and instants here."""

    def __init__(self, process: str, now: datetime, *, hour: int | None = None) -> None:
        self.definition = DEFINITIONS[process]
        self.instance = self  # numbers_for reads the task's data from the instance
        self.now, self.hour = now, hour  # hour: do each step at this hour of its day instead
        self.answers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.clock: dict[str, list[str]] = defaultdict(list)
        self.order: list[str] = []

    def task(self, bpmn_id: str) -> _Task:
        """The task as the helpers see it: role, form and scope from the diagram."""
        (meta,) = [m for (_, b), m in self.definition.user_tasks.items() if b == bpmn_id]
        return _Task(bpmn_id, bpmn_id, meta.scope, meta.role, meta.form_key)

    def task_data(self, _task_id: str) -> dict[str, Any]:
        """No numbers are held yet: the service allocates them, and the plan drops them."""
        return {}

    def complete(
        self, bpmn_id: str, data: Mapping[str, Any] | None = None, *, now: datetime | None = None
    ) -> None:
        """Record a step: the validated form data without numbers, files to upload, at `now`."""
        self.now = now or self.now
        if self.hour is not None:
            self.now = self.now.replace(hour=self.hour)
        task = self.task(bpmn_id)
        numbers = self.definition.user_tasks[(task.process_id, bpmn_id)].assign_numbers
        fields = default_registry().get(task.form_key or "").definition.fields
        answer = {k: v for k, v in (data or {}).items() if k not in numbers}
        self.answers[bpmn_id].append(to_json_value(with_uploads(fields, answer)))
        self.clock[bpmn_id].append(self.now.isoformat())
        self.order.append(bpmn_id)

    def wait_out(self, bpmn_id: str, after: datetime) -> None:
        """Leave the task undone past its deadline: the walker fires the timer that takes it away."""
        self.clock[bpmn_id].append(after.isoformat())

    def walk(self, app: Flask, login: Any) -> BureauWalk:
        """A walker that takes these steps."""
        return BureauWalk(app, login, self.answers, self.clock)

    def done(self, walk: BureauWalk) -> list[str]:
        """The steps the walk took in this process (linked instances' tasks left out)."""
        ids = {b for _, b in self.definition.user_tasks}
        return [b for _, b, _ in walk.steps if b in ids]


def with_uploads(fields: tuple[FieldDefinition, ...], values: Mapping[str, Any]) -> dict[str, Any]:
    """Replace the engine tests' placeholder file ids ('att-…') by files the walker uploads."""
    spec = {f.name: f for f in fields}
    return {k: _uploads(spec[k], v) if k in spec and v is not None else v for k, v in values.items()}


def _uploads(field: FieldDefinition, value: Any) -> Any:
    if field.type is FieldType.ATTACHMENT:
        return [UPLOAD for _ in value]
    if field.type is FieldType.GROUP:
        items = [with_uploads(field.fields, item) for item in (value if field.repeat else [value])]
        return items if field.repeat else items[0]
    return value


# -- stages the engine tests write inline or with assertions the plan cannot make -----------------


def pass_review(p: Plan, on: date, fine: Decimal) -> None:
    """major_decision_review: the reviewer agrees, the collective discussion decides the fine."""
    for bpmn_id, answer in penalty.review_answers(p, on, "penalty", fine).items():
        if bpmn_id != "stub_review":  # the stand-in for when the real review is not deployed
            penalty.complete(p, bpmn_id, answer, on=on)


def extend_once(p: Plan) -> None:
    """The party asks for more time on 2025-12-15; the squad leader grants it up to 2026-01-09."""
    case.follow_up(p, case.at(date(2025, 12, 15), 10), "in_progress", extension_until=date(2026, 1, 9))
    approval = EXTENSION_APPROVAL | {"rect_extension_decided_on": date(2025, 12, 16)}
    case.fill(p, "approve_extension", approval, case.at(date(2025, 12, 16), 10))


def hold_hearing(p: Plan) -> None:
    """The first host named investigated the case; the first hearing date is too early; both redone."""
    investigator = {"hearing_host_name": "李四", "hearing_host_cert_no": "31140001"}
    independent = {"hearing_host_name": "赵六", "hearing_host_cert_no": "31140009"}
    for host in (investigator, independent):
        penalty.complete(p, "appoint_hearing_host", penalty.HOST | host)
    notice = penalty.HEARING_NOTICE | {"hearing_notice_served_on": date(2025, 10, 10)}
    for hearing_date in (date(2025, 10, 17), date(2025, 10, 20)):
        penalty.complete(p, "notify_hearing", notice | {"hearing_date": hearing_date})
    held = penalty.HEARING_RECORD | {"hearing_held_on": date(2025, 10, 20)}
    penalty.complete(p, "hold_hearing", held, on=date(2025, 10, 20))
    report = penalty.HEARING_REPORT | {
        "proposed_fine": penalty.FINE,
        "hearing_reported_on": date(2025, 10, 20),
    }
    penalty.complete(p, "write_hearing_report", report)


# -- running a path ---------------------------------------------------------------------------------


def start(app: Flask, login: Any, process_key: str, data: Mapping[str, Any], now: datetime) -> int:
    """Deploy the bureau's processes and start one instance at `now`, as an officer."""
    app.config["FIXED_NOW"] = now.isoformat()
    assert deploy_dir(login("process_owner"), BPMN).status_code == 201
    started = login("officer1").post(
        "/process-instances", json={"process_key": process_key, "data": to_json_value(dict(data))}
    )
    assert started.status_code == 201, started.json
    instance_id: int = started.json["id"]
    return instance_id


def walk_to(walk: BureauWalk, instance_id: int, bpmn_id: str) -> dict[str, Any]:
    """Take the planned steps until the instance waits at `bpmn_id`; return the instance."""
    walk.run(until=lambda: bpmn_id in {t["bpmn_id"] for t in walk.instance(instance_id)["tasks"]})
    return walk.instance(instance_id)


def walk_to_the_end(p: Plan, walk: BureauWalk, instance_id: int) -> dict[str, Any]:
    """Take the planned steps until the instance ends (a linked publicity instance runs on for years)."""
    walk.run(until=lambda: walk.instance(instance_id)["status"] != "running")
    body = walk.instance(instance_id)
    assert body["status"] == "completed", body["tasks"]
    assert Counter(p.done(walk)) == Counter(p.order)  # each planned step once, nothing else
    return body


def assert_due(walk: BureauWalk, expected: Mapping[str, list[str]]) -> None:
    """Each task was due at the end of these China days, one per time it was done."""
    due = {
        b: [datetime.fromisoformat(t["due_at"]) for t in walk.completed if t["bpmn_id"] == b]
        for b in expected
    }
    assert due == {b: [case.end_of(date.fromisoformat(d)) for d in days] for b, days in expected.items()}


def timers_fired(walk: BureauWalk, instance_id: int) -> list[tuple[str, str]]:
    """The instance's timers that fired, with the China-time instant each was due at."""
    events = walk.auditor.get(f"/process-instances/{instance_id}/events").json["items"]
    return [
        (e["task_bpmn_id"], datetime.fromisoformat(e["data"]["due_at"]).astimezone(CHINA_TZ).isoformat())
        for e in events
        if e["kind"] == "timer_fired"
    ]


def publicity_started_once(walk: BureauWalk, source: dict[str, Any]) -> None:
    """The router started enforcement_publicity with the decision; the audit chain holds; only one."""
    assert walk.auditor.get("/audit/verify").json["ok"] is True
    items = walk.auditor.get("/process-instances?process=enforcement_publicity&per_page=200").json["items"]
    first = walk.instance(min(i["id"] for i in items))
    assert first["data"]["decision_no"] == source["data"]["decision_no"]
    assert (first["data"]["source_instance_id"], first["data"]["source_process"]) == (
        source["id"],
        source["process_key"],
    )
    assert len(items) == 1, "a handled start message must not be routed again on later steps"


# -- (b) 按期整改 → 放弃听证 → 审核通过 → 缴款 → 结案归档 ------------------------------------------------


def discover_with_reporter(p: Plan) -> None:
    """发现认定 on a property company's report, across the National Day holiday."""
    case.assign(p, case.at(date(2025, 9, 26), 10))
    case.inspect(p, case.at(date(2025, 9, 26), 14))
    case.stop_works(p, case.at(date(2025, 9, 26), 14, 30))
    reply = {
        "reporter_replied_on": date(2025, 9, 29),
        "reporter_reply_method": "phone",
        "reporter_reply_content": "已到场核查并责令停工",
    }
    case.fill(p, "reply_reporter", reply, case.at(date(2025, 9, 29), 9))
    case.ask_for_structure_info(p, date(2025, 9, 29))
    case.record_structure_info(p, date(2025, 10, 9))
    case.appraise(p, date(2025, 10, 9), date(2025, 10, 20), load_bearing=True, grade=2, places=2, area="3.50")
    case.determine(p, date(2025, 10, 21), "violation")
    case.notify_consequences(p, case.at(date(2025, 10, 21), 14))


def rectify_in_time(p: Plan) -> None:
    """立案调查 and 整改修复: filed on 2025-10-23, ordered to restore by 11-28, restored on 11-24."""
    case.file_case(p, date(2025, 10, 22), date(2025, 10, 23))
    case.interview(p, case.at(date(2025, 10, 24), 9), more=False)
    case.list_evidence(p, date(2025, 10, 24))
    case.order_correction(p, date(2025, 10, 27), date(2025, 10, 28), deadline=date(2025, 11, 28))
    case.follow_up(p, case.at(date(2025, 11, 14), 10), "in_progress")
    case.follow_up(p, case.at(date(2025, 11, 24), 10), "completed")


def fine_after_the_hearing_window(p: Plan) -> None:
    """Fine of 25,000 yuan; nothing arrives by 12-04 (the timer closes the window); decided 12-10."""
    case.state_discretion_factors(p, date(2025, 11, 25))
    penalty.report(p, fine=Decimal("25000"), on=date(2025, 11, 26))
    case.report_repair(p, date(2025, 11, 26))
    penalty.give_notice(p, date(2025, 11, 27))
    case.accept(p, case.at(date(2025, 11, 27), 14))
    case.nothing_in_yet(p, date(2025, 11, 28), window_ends=date(2025, 12, 4))
    penalty.respond(p, date(2025, 12, 5))
    pass_review(p, date(2025, 12, 8), Decimal("25000"))
    penalty.decide(p, date(2025, 12, 10))
    penalty.issue_decision(p, date(2025, 12, 10))
    penalty.serve(p, date(2025, 12, 11))  # no credit push: the party restored in time
    penalty.pay(p, "record_payment", date(2025, 12, 15))


def test_b_party_who_rectifies_in_time_is_fined_pays_and_the_case_is_archived(
    app: Flask,
    login: Any,
) -> None:
    received = case.at(date(2025, 9, 26))
    case_id = start(app, login, "load_bearing_case", case.lead(received), received)
    p = Plan("load_bearing_case", received)
    discover_with_reporter(p)
    rectify_in_time(p)
    fine_after_the_hearing_window(p)
    days = [date(2025, 12, 16), date(2025, 12, 17), date(2025, 12, 18)]
    case.close_case(p, days, "penalty_executed", "已恢复原状并缴纳罚款")
    case.archive(p, date(2025, 12, 22))

    walk = p.walk(app, login)
    body = walk_to_the_end(p, walk, case_id)
    data = body["data"]
    assert data["case_no"] == "嘉城管立〔2025〕0001号"
    assert (data["filed_on"], data["decision_due_on"]) == ("2025-10-23", "2026-01-21")
    assert (data["rect_order_no"], data["assist_notice_no"]) == (
        "嘉城管责改〔2025〕0001号",
        "嘉城管协助〔2025〕0001号",
    )
    assert (data["rectification_outcome"], data["rectified_on"]) == ("rectified", "2025-11-24")
    assert (data["discretion"]["score"], data["aggravating"]) == (25, False)
    assert (data["hearing_window_ends_on"], data["hearing_status"]) == ("2025-12-04", "waived")
    assert (data["decision_no"], data["decided_on"]) == ("嘉城管罚决〔2025〕0001号", "2025-12-10")
    assert date.fromisoformat(data["decided_on"]) <= date.fromisoformat(data["decision_due_on"])
    assert (data["execution_status"], data["paid_on"]) == ("paid", "2025-12-15")
    assert (data["closure_reason"], data["restoration_status"]) == ("penalty_executed", "accepted")
    assert (data["annotation_status"], data["credit_record_status"]) == ("none", "none")
    assert_due(
        walk,
        {
            "assign_officers": ["2025-09-26"],  # the same day
            "inspect_site": ["2025-09-28"],  # the next working day: the 调休 Sunday
            "reply_reporter": ["2025-10-10"],  # 5 working days, skipping National Day 10-01..08
            "request_filing": ["2025-10-30"],
            "record_followup": ["2025-11-28", "2025-11-28"],
            "record_party_response": ["2025-12-04", "2025-12-04"],  # 5 working days (第六十四条)
            "decide_penalty": ["2026-01-21"],  # 90 days from filing (第六十条)
            "archive_case": ["2026-01-16"],  # 20 working days, New Year skipped
        },
    )
    assert timers_fired(walk, case_id) == [("timer_hearing_window", "2025-12-04T23:59:59+08:00")]
    publicity_started_once(walk, body)


# -- (c) 拒不整改 → 注记与失信 → 从重处罚 → 恢复验收 → 解除注记、信用修复 ---------------------------------


def refuse_entry_then_confirm(p: Plan) -> None:
    """First visit refused; the timer brings the next visit on 11-06; appraisal: 5.2 m², grade 2."""
    case.assign(p, case.at(date(2025, 11, 3), 11))
    case.inspect(p, case.at(date(2025, 11, 3), 14), entered=False)
    case.serve_talk_notice(p, date(2025, 11, 4))
    case.confirm_violation(p, case.at(date(2025, 11, 6), 10))
    case.file_and_order(p)


def refuse_to_rectify(p: Plan) -> None:
    """Extended to 2026-01-09, then left undone: the deadline passes; the house is annotated."""
    extend_once(p)
    warning = {
        "case_escalation_action": "urged",
        "case_escalation_note": "督促复查",
        "case_escalated_on": date(2025, 12, 30),
    }
    case.fill(p, "warn_case_clock", warning, case.at(date(2025, 12, 30), 9))  # 10 days before 01-09
    p.wait_out("record_followup", case.at(date(2026, 1, 12), 10))
    case.inspect_at_deadline(p, case.at(date(2026, 1, 12), 10), "not_rectified")
    # No 失信 record: case_dishonesty_catalogue.dmn ships OFF until the bureau names the catalogue item.
    case.annotate_house(p, [date(2026, 1, d) for d in (12, 13, 14, 15, 20, 21)])


def heavier_fine_while_the_party_gives_in(p: Plan) -> None:
    """Fine of 70,000 yuan (refusal: aggravating); the first repair fails acceptance; paid 02-12."""
    case.state_discretion_factors(p, date(2026, 1, 22))
    penalty.report(p, fine=Decimal("70000"), on=date(2026, 1, 23))
    penalty.give_notice(p, date(2026, 1, 26))
    case.nothing_in_yet(p, date(2026, 1, 26), window_ends=date(2026, 2, 2))
    case.follow_restoration(p, case.at(date(2026, 1, 27), 11), "not_started")
    case.follow_restoration(p, case.at(date(2026, 2, 2), 9), "completed")
    case.report_repair(p, date(2026, 2, 2))
    case.accept(p, case.at(date(2026, 2, 2), 15), "failed", rework_deadline=date(2026, 3, 6))
    penalty.respond(p, date(2026, 2, 3))
    pass_review(p, date(2026, 2, 4), Decimal("70000"))
    penalty.decide_and_serve(p, date(2026, 2, 5), date(2026, 2, 6))
    penalty.pay(p, "record_payment", date(2026, 2, 12))


def repair_and_lift(p: Plan) -> None:
    """Restored and accepted; the annotation is lifted and the credit record repaired; closed."""
    case.follow_restoration(p, case.at(date(2026, 2, 27), 10), "completed")
    case.report_repair(p, date(2026, 2, 27))
    case.accept(p, case.at(date(2026, 3, 2), 10))
    case.lift_annotation(p, date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 5))
    days = [date(2026, 3, 11), date(2026, 3, 12), date(2026, 3, 13)]
    case.close_case(p, days, "penalty_executed", "处罚执行完毕，承重结构已恢复并验收合格")
    case.archive(p, date(2026, 3, 16))


def test_c_refusal_brings_annotation_credit_record_and_a_heavier_fine_all_lifted_after_repair(
    app: Flask,
    login: Any,
) -> None:
    received = case.at(date(2025, 11, 3), 10)
    case_id = start(app, login, "load_bearing_case", case.patrol_lead(), received)
    p = Plan("load_bearing_case", received)
    refuse_entry_then_confirm(p)
    refuse_to_rectify(p)
    heavier_fine_while_the_party_gives_in(p)
    repair_and_lift(p)

    walk = p.walk(app, login)
    body = walk_to_the_end(p, walk, case_id)
    data = body["data"]
    assert (data["entry_attempts"], data["decision_due_on"]) == (1, "2026-02-23")
    assert [e["new_deadline"] for e in data["extensions"]] == ["2026-01-09"]
    assert data["rectification_outcome"] == "refused"
    assert data["annotation_letter_no"] == "嘉城管注记函〔2026〕0001号"
    assert (data["discretion"]["score"], data["aggravating"]) == (70, True)
    assert (data["annotation_status"], data["credit_record_status"], data["restoration_status"]) == (
        "lifted",
        "not_applicable",
        "accepted",
    )
    assert (Decimal(data["fine_amount"]), data["execution_status"]) == (Decimal("70000"), "paid")
    assert data["decided_on"] == "2026-02-05" < data["decision_due_on"]
    assert_due(
        walk,
        {
            "inspect_site": ["2025-11-04", "2025-11-06"],
            "approve_extension": ["2025-12-26"],  # before the running deadline
            "record_overdue_inspection": ["2026-01-13"],
            "record_discretion_factors": ["2026-01-09"],  # overdue when done; the 90 days still hold
            "record_party_response": ["2026-02-02", "2026-02-02"],
            "record_restoration_followup": ["2026-02-11", "2026-02-11", "2026-03-06"],  # from the outcome
            "archive_case": ["2026-04-13"],  # Qingming Monday 04-06 skipped
        },
    )
    assert timers_fired(walk, case_id) == [
        ("timer_entry_retry", "2025-11-06T00:00:00+08:00"),  # 2 working days after the talk notice
        ("timer_case_clock_warning", "2025-12-29T23:59:59+08:00"),  # 10 days before the latest penalty start
        ("timer_rectification_deadline", "2026-01-09T23:59:59+08:00"),  # the extended deadline
        ("timer_hearing_window", "2026-02-02T23:59:59+08:00"),
    ]
    publicity_started_once(walk, body)


# -- (d) 法制审核退回两次后同意 → 集体讨论决定 --------------------------------------------------------------


def test_d_review_returned_twice_then_agreed_and_collectively_decided(
    app: Flask,
    login: Any,
) -> None:
    called = review.at(date(2025, 9, 24))
    # A direct start goes through the start form (review_start), which types the fine; the
    # discretion calculation is the caller's (penalty_procedure), not a start-form field.
    submitted = {k: v for k, v in review.CASE.items() if k != "discretion"}
    submitted |= {"legal_basis": "《上海市住宅物业管理规定》第八十三条"}
    review_id = start(app, login, "major_decision_review", submitted, called)
    p = Plan("major_decision_review", called, hour=18)  # as its test validates: the meeting is at 15:00
    review.reach_review(p, date(2025, 9, 24), date(2025, 9, 26))
    review.correction_round(p, date(2025, 9, 30), date(2025, 10, 9), Decimal("20000"), "supplement_evidence")
    review.check(p, date(2025, 10, 9))
    review.accept(p, date(2025, 10, 9))
    review.correction_round(p, date(2025, 10, 14), date(2025, 10, 16), Decimal("15000"), "adjust_discretion")
    review.check(p, date(2025, 10, 17))
    review.accept(p, date(2025, 10, 20))
    review.review(p, date(2025, 10, 24), "agree")
    review.discuss(p, date(2025, 10, 28), "penalty", Decimal("15000"))
    review.sign(p, date(2025, 10, 28))

    walk = p.walk(app, login)
    body = walk_to_the_end(p, walk, review_id)
    data = body["data"]
    assert (data["is_major"], data["review_result"], data["review_rounds"]) == (True, "agree", 3)
    letters = [(x["round"], x["opinion_type"], x["issued_on"]) for x in data["review_opinions"]]
    assert letters == [(1, "correct", "2025-09-30"), (2, "correct", "2025-10-14"), (3, "agree", "2025-10-24")]
    assert data["review_opinions"][1]["correction_kinds"] == ["adjust_discretion"]
    assert data["collective_reason"] == "损坏房屋承重结构案件"
    assert [o["member_name"] for o in data["collective_opinions"]] == ["王局长", "李副局长", "赵科长"]
    assert (data["collective_conclusion"], data["final_outcome"]) == ("penalty", "penalty")
    assert Decimal(data["final_fine"]) == Decimal("15000")
    # 10 working days from each acceptance, across National Day; 3 working days to ask for a re-review.
    due = {"conduct_review": ["2025-10-16", "2025-10-22", "2025-11-03"]}
    assert_due(walk, due | {"respond_to_correction": ["2025-10-11", "2025-10-17"]})
    assert walk.auditor.get("/audit/verify").json["ok"] is True


# -- (e) 告知送达后第5个工作日申请听证（举行）与第6个工作日申请（不予受理） --------------------------------


def hearing_requested(p: Plan, requested_on: date) -> None:
    """Notice served Thursday 2025-09-25; the request is recorded on 10-10 with its own date."""
    penalty.report(p, on=date(2025, 9, 15))
    penalty.give_notice(p, date(2025, 9, 25))
    penalty.respond(p, date(2025, 10, 10), requested_on=requested_on)


def hearing_held(p: Plan) -> None:
    """The hearing is held on 10-20; decided 10-24, served 10-27, paid 11-10."""
    hold_hearing(p)
    pass_review(p, date(2025, 10, 22), penalty.FINE)
    penalty.decide_and_serve(p, date(2025, 10, 24), date(2025, 10, 27))
    penalty.pay(p, "record_payment", date(2025, 11, 10))


def hearing_refused(p: Plan) -> None:
    """The late request is refused on Saturday 10-11 (a 调休 working day); decided 10-20, paid 10-30."""
    refusal = HEARING_REFUSAL | {"hearing_refusal_served_on": date(2025, 10, 11)}
    penalty.complete(p, "refuse_hearing_request", refusal, on=date(2025, 10, 11))
    pass_review(p, date(2025, 10, 15), penalty.FINE)
    penalty.decide_and_serve(p, date(2025, 10, 20), date(2025, 10, 21))
    penalty.pay(p, "record_payment", date(2025, 10, 30))


def walk_hearing_case(
    app: Flask, login: Any, requested_on: date, rest: Callable[[Plan], None]
) -> tuple[BureauWalk, dict[str, Any]]:
    """Filed 2025-08-01, notice served 2025-09-25, the request dated `requested_on`; then `rest`."""
    filed = penalty.START | {"filed_on": date(2025, 8, 1)}
    penalty_id = start(app, login, "penalty_procedure", filed, penalty.at(date(2025, 8, 11)))
    p = Plan("penalty_procedure", penalty.at(date(2025, 8, 11)))
    hearing_requested(p, requested_on)
    rest(p)
    walk = p.walk(app, login)
    body = walk_to_the_end(p, walk, penalty_id)
    # 09-26, Sunday 09-28 (调休), 09-29, 09-30, then 10-09 after the National Day holiday (10-01..08).
    assert body["data"]["hearing_window_ends_on"] == "2025-10-09"
    assert body["data"]["execution_status"] == "paid"
    return walk, body


def test_e_hearing_requested_on_the_fifth_working_day_is_held(app: Flask, login: Any) -> None:
    walk, body = walk_hearing_case(app, login, date(2025, 10, 9), hearing_held)
    data = body["data"]
    assert (data["hearing_request_in_time"], data["hearing_status"]) == (True, "held")
    # 7 working days' notice from 10-10: Saturday 10-11 works, so the earliest date is 10-20.
    assert (data["hearing_host_eligible"], data["hearing_earliest_date"]) == (True, "2025-10-20")
    due = {"record_party_response": ["2025-10-09"], "hold_hearing": ["2025-10-20"]}
    assert_due(walk, due | {"record_payment": ["2025-11-11"]})
    publicity_started_once(walk, body)


def test_e_hearing_requested_on_the_sixth_working_day_is_refused_and_waived(app: Flask, login: Any) -> None:
    walk, body = walk_hearing_case(app, login, date(2025, 10, 10), hearing_refused)
    data = body["data"]
    assert (data["hearing_request_in_time"], data["hearing_status"]) == (False, "waived")
    assert_due(walk, {"record_party_response": ["2025-10-09"], "record_payment": ["2025-11-05"]})
    publicity_started_once(walk, body)


# -- (f) 逾期不缴 → 加处罚款 → 催告 → 申请法院强制执行 -------------------------------------------------------


def served_and_left_unpaid(p: Plan) -> None:
    """Waived hearing, decided 2025-09-10, served 09-16; nothing is paid by 10-09."""
    penalty.report(p)
    penalty.give_notice(p, date(2025, 8, 18))
    penalty.respond(p, date(2025, 8, 26))
    pass_review(p, date(2025, 9, 5), penalty.FINE)
    penalty.decide_and_serve(p, date(2025, 9, 10), date(2025, 9, 16))
    p.wait_out("record_payment", penalty.at(date(2025, 10, 10), 0))


def remind_and_apply_to_court(p: Plan) -> None:
    """Checked too early on 12-01, then after the remedy periods; 催告 on 03-27; court on 04-15."""
    penalty.complete(p, "monitor_unpaid_fine", UNPAID, on=date(2025, 12, 1))
    penalty.complete(p, "monitor_unpaid_fine", UNPAID, on=date(2026, 3, 17))
    reminder = {"reminder_served_on": date(2026, 3, 27), "reminder_performance_due": date(2026, 4, 13)}
    penalty.complete(p, "serve_payment_reminder", penalty.REMINDER | reminder, on=date(2026, 3, 27))
    outcome = {"payment_status": "unpaid", "reminder_statement_made": False}
    penalty.complete(p, "record_reminder_outcome", outcome, on=date(2026, 4, 14))
    application = penalty.COURT_APPLICATION | {
        "court_applied_on": date(2026, 4, 15),
        "application_materials": ["att"],
    }
    penalty.complete(p, "draft_court_application", application, on=date(2026, 4, 15))
    signed = {"court_application_approval": "approve", "court_application_signed_on": date(2026, 4, 15)}
    penalty.complete(p, "sign_court_application", signed)
    ruling = penalty.COURT_RULING | {"court_accepted_on": date(2026, 4, 20)}
    penalty.complete(p, "record_court_ruling", ruling, on=date(2026, 4, 27))


def test_f_unpaid_fine_carries_a_surcharge_then_reminder_and_court_enforcement(
    app: Flask,
    login: Any,
) -> None:
    penalty_id = start(app, login, "penalty_procedure", penalty.START, penalty.at(date(2025, 8, 11)))
    p = Plan("penalty_procedure", penalty.at(date(2025, 8, 11)))
    served_and_left_unpaid(p)
    remind_and_apply_to_court(p)

    walk = p.walk(app, login)
    data = walk_to(walk, penalty_id, "serve_payment_reminder")["data"]
    assert (data["served_on"], data["payment_due_on"], data["paid_on"]) == ("2025-09-16", "2025-10-09", None)
    # 159 days late on 2026-03-17: 3 % a day would be 95,400 yuan, capped at the fine.
    assert data["surcharge_days"] == 159
    assert Decimal(data["surcharge_amount"]) == Decimal(data["fine_amount"]) == penalty.FINE
    assert Decimal(data["reminder_amount"]) == Decimal("40000")
    body = walk_to_the_end(p, walk, penalty_id)
    data = body["data"]
    # The final surcharge counts up to the court application: 188 days, still capped at the fine.
    assert (data["surcharge_days"], data["court_applied_on"]) == (188, "2026-04-15")
    assert (data["reminder_no"], data["court_application_no"]) == (
        "嘉城管催告〔2026〕0001号",
        "嘉城管强执申〔2026〕0001号",
    )
    assert data["execution_status"] == "court_enforcement_applied"
    assert_due(
        walk,
        {
            "decide_penalty": ["2025-09-29"],  # filed 2025-07-01 + 90 days
            "serve_decision": ["2025-09-19"],  # 7 working days after deciding
            "monitor_unpaid_fine": ["2026-03-16", "2026-03-16"],  # 6 months after service
            "draft_court_application": ["2026-06-16"],  # 3 months after the remedy periods
        },
    )
    assert timers_fired(walk, penalty_id) == [
        ("timer_payment_due", "2025-10-09T23:59:59+08:00"),  # 09-16 + 15 days, out of the holiday
        ("timer_remedy_periods", "2026-03-16T23:59:59+08:00"),
        ("timer_reminder_period", "2026-04-13T23:59:59+08:00"),  # 10 working days, Qingming skipped
    ]
    publicity_started_once(walk, body)
