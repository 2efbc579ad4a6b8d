"""The plan and the walker's checks shared by the bureau's HTTP paths (test_api_path_*.py).

The engine tests (tests/bpmn/) walk the bureau's paths with exact data through small step helpers. Here
the same helpers write a `Plan` instead of driving the engine: each step becomes the task's answers and
the China-time instant it is done at. A `BureauWalk` then completes every task as the demo user of
its role, in time order, with the request clock pinned to that instant; where the law needs time to
pass with nothing to do, the walker moves the clock to the next timer and fires it. Numbers come from
the service (assignNumbers), attachments are uploaded for each task.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
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
from tests.conftest import deploy_dir
from tests.service.bureau_walk import UPLOAD, BureauWalk
from tests.workflows.scenario import load_files
from workflows import CHINA_TZ, load_definitions

BPMN = Path(__file__).parents[2] / "bpmn"
DEFINITIONS = load_definitions(load_files(BPMN))


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


# -- stages several paths share ----------------------------------------------------------------


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
