"""A fired batch writes its cases in one version-checked statement, and a case changed meanwhile is
never overwritten: the batch rolls back and runs case by case, the changed case's timer fires once."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select, update
from sqlalchemy.orm.exc import StaleDataError

from service.db import session_scope, utcnow
from service.models import AuditEvent, HumanTask, ProcessInstance
from service.operations import timers as timer_ops
from service.operations.timers import TimerSettings, fire_instance_timers, preload, write_batch
from service.worker import run_due_timers
from tests.service.test_worker import LATER, _seed


def _case_ids(app: Flask) -> list[int]:
    with app.app_context(), session_scope(app) as session:
        return list(session.scalars(select(ProcessInstance.id).order_by(ProcessInstance.id)))


def test_a_batch_writes_its_cases_in_one_statement(app: Flask, login: Any) -> None:
    _seed(app, login, 6)
    engine, writes = app.extensions["zhifa.engine"], []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, _ctx: Any, many: bool) -> None:
        if statement.lstrip().startswith("UPDATE process_instances SET") and "state" in statement:
            writes.append(len(params) if many else 1)

    event.listen(engine, "before_cursor_execute", record)
    try:
        result = run_due_timers(app, LATER, TimerSettings(batch=6))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert (result.fired, result.failed, writes) == (6, 0, [6])
    with app.app_context(), session_scope(app) as session:
        rows = session.scalars(select(ProcessInstance)).all()
        assert {(r.version_id, r.timer_leases, r.next_timer_due_at) for r in rows} == {(3, 0, None)}
        assert session.scalar(select(func.count()).select_from(HumanTask)) == 6  # the task after the timer
        fired = select(func.count()).where(AuditEvent.kind == "timer_fired")
        assert session.scalar(fired) == 6
    assert run_due_timers(app, LATER).fired == 0  # nothing left, nothing fires twice


def test_a_case_changed_while_its_batch_fired_is_not_overwritten(app: Flask, login: Any) -> None:
    _seed(app, login, 3)
    ids = _case_ids(app)
    with app.app_context(), session_scope(app) as session:
        rows = preload(session, ids)
        for instance_id in ids:
            fire_instance_timers(session, instance_id, LATER)
        # Someone else saved case 2 meanwhile (written here on the same connection: SQLite has one
        # writer at a time; what matters is that its stored version is no longer the one loaded).
        bump = update(ProcessInstance).where(ProcessInstance.id == ids[1]).values(version_id=9)
        with session.no_autoflush:  # (a flush now would write the batch the ORM's way)
            session.execute(bump.execution_options(synchronize_session=False))
        with pytest.raises(StaleDataError):
            write_batch(session, rows, utcnow())
        session.rollback()
    with app.app_context(), session_scope(app) as session:
        versions = session.scalars(select(ProcessInstance.version_id).order_by(ProcessInstance.id)).all()
        assert versions == [2, 2, 2]  # as seeded: nothing of the batch was kept
        assert session.scalar(select(func.count()).where(AuditEvent.kind == "timer_fired")) == 0
    assert run_due_timers(app, LATER).fired == 3  # the next pass fires each once


def test_a_failing_batch_write_falls_back_to_one_case_at_a_time(
    app: Flask, login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(app, login, 4)

    def stale(*_args: Any) -> int:
        raise StaleDataError("changed meanwhile")

    monkeypatch.setattr(timer_ops, "write_batch", stale)
    result = run_due_timers(app, LATER)
    assert (result.fired, result.failed) == (4, 0)
    with app.app_context(), session_scope(app) as session:
        assert session.scalar(select(func.count()).where(AuditEvent.kind == "timer_fired")) == 4
