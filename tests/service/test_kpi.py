"""KPI page: the indicators on a small seeded record, and who may see the page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import session_scope
from service.models import (
    AuditEvent,
    AuditStateTrace,
    HumanTask,
    InstanceLink,
    ProcessDefinitionRow,
    ProcessInstance,
    User,
)
from service.models.instances import InstanceStatusColumn
from service.operations import kpi as kpi_ops
from service.runtime import get_runtime

NOW = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
START, END = datetime(2025, 2, 28, 16, 0, tzinfo=UTC), datetime(2025, 3, 9, 16, 0, tzinfo=UTC)
CONTACT = "先行联系诉求人"
CHECK = "核查"


def at(day: int, hour: int = 10, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, 0, tzinfo=UTC)


def _case(session: Session, definition: ProcessDefinitionRow, key: str, started: datetime) -> ProcessInstance:
    row = ProcessInstance(
        definition_id=definition.id,
        process_key=key,
        status=InstanceStatusColumn.RUNNING,
        state="{}",
        serializer_version="1",
        started_at=started,
    )
    session.add(row)
    session.flush()  # ids for the events and links
    return row


def _events(session: Session, case: ProcessInstance, events: list[dict[str, Any]]) -> None:
    for seq, event in enumerate(events, start=1):
        digest = event.pop("trace", None)
        if digest is not None:
            name, tasks = digest
            if session.get(AuditStateTrace, name) is None:
                session.add(AuditStateTrace(state_hash=name, nodes=[], edges=[], tasks=tasks))
        session.add(
            AuditEvent(
                stream=f"case-{case.id}",
                seq=seq,
                instance_id=case.id,
                actor="test",
                prev_hash="0" * 64,
                hash=f"{case.id:032d}{seq:032d}",
                state_hash=digest and digest[0],
                **event,
            )
        )


def _task(bpmn_id: str, name: str, due: datetime) -> dict[str, str]:
    return {"name": name, "due_at": due.isoformat(), "bpmn_id": bpmn_id}


def _done(task_id: str, bpmn_id: str, name: str, when: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "task_completed",
        "task_id": task_id,
        "task_bpmn_id": bpmn_id,
        "task_name": name,
        "occurred_at": when,
        **extra,
    }


def _flag(value: bool) -> dict[str, Any]:
    return {"added": {"first_contact_on_time": value}, "changed": {}, "removed": []}


def seed(session: Session) -> None:
    """Four complaints in range (one turned into a case), one before it; see the tests for the sums."""
    definition = ProcessDefinitionRow(
        key="complaint_handling", name="诉求", version=1, content_hash="h", files={}, forms={}, activation=1
    )
    session.add(definition)
    session.flush()  # the cases refer to it
    c1, c2, c3, c4 = (_case(session, definition, "complaint_handling", at(3)) for _ in range(4))
    old = _case(session, definition, "complaint_handling", at(1, month=1))
    penalty = _case(session, definition, "penalty_procedure", at(4))
    session.add(InstanceLink(from_instance_id=c1.id, to_instance_id=penalty.id, kind="penalty_procedure"))
    t1 = {"t1": _task("first_contact", CONTACT, at(5))}
    t2 = {"t2": _task("verify", CHECK, at(6, 0))}
    start = {"kind": "instance_started", "occurred_at": at(3)}
    _events(
        session,
        c1,
        [
            {**start, "trace": ("s1", t1)},
            _done("t1", "first_contact", CONTACT, at(4), diff=_flag(True), trace=("s2", t2)),
            _done("t2", "verify", CHECK, at(5, 23), trace=("end", {})),  # local 03-06 07:00: on time
        ],
    )
    t3 = {"t3": _task("first_contact", CONTACT, at(3, 12))}
    _events(
        session,
        c2,
        [
            {**start, "trace": ("s3", t3)},
            _done("t3", "first_contact", CONTACT, at(5), diff=_flag(False), trace=("end", {})),
        ],
    )
    t4 = {"t4": _task("first_contact", CONTACT, at(3, month=1))}
    _events(
        session,
        old,
        [
            {"kind": "instance_started", "occurred_at": at(1, month=1), "trace": ("s4", t4)},
            _done("t4", "first_contact", CONTACT, at(2, month=1), diff=_flag(True), trace=("end", {})),
        ],
    )
    officer = session.scalars(select(User).where(User.username == "officer1")).one()
    session.add_all(
        [
            _open(c3, "o1", "first_contact", "hotline_liaison", at(4), who=None),
            _open(c4, "o2", "verify", "officer", at(5), who=officer.id),
            _open(c4, "o3", "decide", "officer", at(1, month=4), who=officer.id),  # not yet due
        ]
    )
    session.flush()


def _open(
    case: ProcessInstance, task_id: str, bpmn_id: str, role: str, due: datetime, *, who: int | None
) -> HumanTask:
    return HumanTask(
        id=task_id,
        instance_id=case.id,
        bpmn_id=bpmn_id,
        name=bpmn_id,
        process_id=case.process_key,
        role=role,
        due_at=due,
        assignee_id=who,
    )


@pytest.fixture
def seeded(app: Flask) -> Flask:
    with app.app_context(), session_scope(app) as session:
        seed(session)
        session.commit()
    return app


def test_rates_overdue_and_stage_days_on_the_seeded_record(seeded: Flask) -> None:
    with seeded.app_context(), session_scope(seeded) as session:
        kpis = kpi_ops.compute(session, START, END, NOW, get_runtime().engine.calendar)
    # 先行联系: c1 on time, c2 late (recorded flags), c3 still open past its due; January is outside
    assert (kpis.first_contact.hits, kpis.first_contact.total) == (1, 3)
    # 按时办结: t1 and t2 by their due times, t3 after it
    assert (kpis.on_time.hits, kpis.on_time.total) == (2, 3)
    assert kpis.on_time.percent == 66.7
    # 诉转案: c1 of the four complaints received in the range (the penalty case is no complaint)
    assert (kpis.conversion.hits, kpis.conversion.total) == (1, 4)
    assert kpis.conversion.percent == 25.0
    assert kpis.overdue_by_role == [("hotline_liaison", 1), ("officer", 1)]
    assert kpis.overdue_by_officer == [("", 1), ("officer1", 1)]
    # t1: Mon 03-03 -> Tue 03-04 (1), t3: 03-03 -> Wed 03-05 (2); t2: 03-04 -> Thu 03-06 local (2)
    stages = [(s.name, s.average, s.count) for s in kpis.stage_days]
    assert stages == [(CHECK, 2.0, 1), (CONTACT, 1.5, 2)]


def test_empty_range_counts_nothing(seeded: Flask) -> None:
    with seeded.app_context(), session_scope(seeded) as session:
        kpis = kpi_ops.compute(session, at(1, month=6), at(2, month=6), NOW, get_runtime().engine.calendar)
    assert kpis.on_time.percent is None
    assert kpis.conversion.total == 0
    assert kpis.stage_days == []


def _sign_in(client: FlaskClient, username: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    client.post("/login", data={"username": username, "password": username, "csrf_token": token.group(1)})


def test_officer_may_not_see_the_kpi_page(seeded: Flask) -> None:
    client = seeded.test_client()
    _sign_in(client, "officer1")
    assert client.get("/kpi").status_code == 403


def test_squad_leader_sees_rates_and_escaped_svg_bars(seeded: Flask) -> None:
    seeded.config["FIXED_NOW"] = NOW.isoformat()
    with seeded.app_context(), session_scope(seeded) as session:
        officer = session.scalars(select(User).where(User.username == "officer1")).one()
        officer.display_name = "<b>王五</b>"
        session.commit()
    client = seeded.test_client()
    _sign_in(client, "squad_leader")
    page = client.get("/kpi?from=2025-03-01&to=2025-03-09")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "66.7%" in html
    assert "25.0%" in html
    assert "33.3%" in html
    assert 'data-testid="overdue-officer"' in html
    assert "<rect" in html
    assert 'data-testid="stage-days"' in html
    assert "<b>王五</b>" not in html
    assert "&lt;b&gt;王五&lt;/b&gt;" in html
    assert 'href="/kpi"' in html  # the navigation bar offers the page


def test_default_range_is_the_last_ninety_days(seeded: Flask) -> None:
    seeded.config["FIXED_NOW"] = NOW.isoformat()
    client = seeded.test_client()
    _sign_in(client, "auditor")
    html = client.get("/kpi").get_data(as_text=True)
    assert 'value="2024-12-11"' in html
    assert 'value="2025-03-10"' in html
