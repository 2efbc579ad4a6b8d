"""The inbox: list, read, claim, assign and complete human tasks, with role checks on each."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from forms import Form

from ..db import utcnow
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..jsonsafe import data_diff
from ..models import AuditEvent, HumanTask, ProcessInstance, User
from ..models.instances import InstanceStatusColumn
from ..runtime import get_runtime
from .attachments import attachment_refs
from .audit import Actor, record_instance_event
from .live_instances import LiveInstance, load_live, save
from .messages import route_messages
from .numbers import allocate

ASSIGNER_ROLES = ("squad_leader", "deputy_head", "bureau_head", "admin")


@dataclass
class TaskDetail:
    """A task with the form it needs and the data it currently sees."""

    task: HumanTask
    form: Form | None
    data: dict[str, Any]


def list_tasks(
    session: Session, user: User, *, mine: bool, overdue: bool, now: datetime, due_soon: bool = False
) -> list[HumanTask]:
    """Return open tasks the user may act on: their roles, unassigned or assigned to them.

    `overdue`: past their due time; `due_soon`: inside their warning window (warnBefore) but not yet due.
    """
    query = (
        select(HumanTask).join(ProcessInstance).where(ProcessInstance.status == InstanceStatusColumn.RUNNING)
    )
    if mine:
        query = query.where(HumanTask.assignee_id == user.id)
    else:
        query = query.where(
            HumanTask.role.in_(user.roles),
            or_(HumanTask.assignee_id.is_(None), HumanTask.assignee_id == user.id),
        )
    if overdue:
        query = query.where(HumanTask.due_at.is_not(None), HumanTask.due_at < now)
    if due_soon:
        query = query.where(HumanTask.warn_at.is_not(None), HumanTask.warn_at <= now, HumanTask.due_at >= now)
    return list(
        session.scalars(query.order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at))
    )


def _task_for(session: Session, task_id: str, user: User, *, act: bool) -> HumanTask:
    task = session.get(HumanTask, task_id)
    if task is None:
        _raise_missing(session, task_id)
    assert task is not None  # _raise_missing always raises
    may_read = task.role in user.roles or task.assignee_id == user.id or user.has_role("auditor", "admin")
    if not may_read:
        raise NotFound("任务不存在 / no such task")
    if act and task.role not in user.roles:
        raise Forbidden(f"此任务需由角色 {task.role} 办理 / this task needs role {task.role}")
    if act and task.assignee_id not in (None, user.id):
        raise Forbidden("此任务已由他人认领 / this task is claimed by someone else")
    return task


def task_for_action(session: Session, task_id: str, user: User) -> HumanTask:
    """Return an open task the user may act on now (their role; unclaimed or claimed by them)."""
    return _task_for(session, task_id, user, act=True)


def _raise_missing(session: Session, task_id: str) -> None:
    done = session.scalar(
        select(AuditEvent.id)
        .where(AuditEvent.task_id == task_id, AuditEvent.kind == "task_completed")
        .limit(1)
    )
    if done is not None:
        raise Conflict("任务已被办理 / this task was already completed")
    raise NotFound("任务不存在 / no such task")


def get_task(session: Session, task_id: str, user: User) -> TaskDetail:
    """Return a task, its form and current data, if the user may see it."""
    task = _task_for(session, task_id, user, act=False)
    live = load_live(session, task.instance_id)
    form = live.definition.forms.get(task.form_key) if task.form_key else None
    return TaskDetail(task, form, live.engine.task_data(task_id))


def claim_task(session: Session, task_id: str, user: User) -> HumanTask:
    """Take an unassigned task for oneself (409 when someone else took it meanwhile)."""
    task = _task_for(session, task_id, user, act=True)
    if task.assignee_id == user.id:
        return task
    return _set_assignee(session, task, user, Actor.of(user, task.role), "task_claimed")


def unclaim_task(session: Session, task_id: str, user: User) -> HumanTask:
    """Give a claimed task back to the role's pool (the assignee or an assigner may)."""
    task = session.get(HumanTask, task_id)
    if task is None:
        _raise_missing(session, task_id)
    assert task is not None
    if task.assignee_id != user.id and not user.has_role(*ASSIGNER_ROLES):
        raise Forbidden("只有认领人或中队长可以释放任务 / only the assignee or a leader may release it")
    return _set_assignee(session, task, None, Actor.of(user), "task_unclaimed")


def assign_task(session: Session, task_id: str, assignee_username: str, user: User) -> HumanTask:
    """Assign a task to a member of staff who holds its role (leaders only)."""
    if not user.has_role(*ASSIGNER_ROLES):
        raise Forbidden("无权指派任务 / not allowed to assign tasks")
    task = session.get(HumanTask, task_id)
    if task is None:
        _raise_missing(session, task_id)
    assert task is not None
    assignee = session.scalars(select(User).where(User.username == assignee_username, User.active)).first()
    if assignee is None:
        raise Invalid("用户不存在 / unknown user", {"username": ["no such active user"]})
    if task.role not in assignee.roles:
        raise Invalid(
            "该用户不具备此任务的角色 / user lacks the task's role", {"username": [f"needs role {task.role}"]}
        )
    return _set_assignee(session, task, assignee, Actor.of(user), "task_assigned")


def _set_assignee(
    session: Session, task: HumanTask, assignee: User | None, actor: Actor, kind: str
) -> HumanTask:
    """Change the assignee only if it is still what the caller saw: of racing changes, one wins."""
    seen = task.assignee_id
    claimed_at = utcnow() if assignee else None
    changed = session.execute(
        update(HumanTask)
        .where(
            HumanTask.id == task.id,
            HumanTask.assignee_id.is_(None) if seen is None else HumanTask.assignee_id == seen,
        )
        .values(assignee_id=assignee.id if assignee else None, claimed_at=claimed_at)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        raise Conflict(
            "任务已被他人认领、指派或办理 / someone else claimed, assigned or completed this task meanwhile"
        )
    set_committed_value(task, "assignee_id", assignee.id if assignee else None)
    set_committed_value(task, "claimed_at", claimed_at)
    instance = session.get(ProcessInstance, task.instance_id)
    assert instance is not None
    instance.updated_at = utcnow()  # bumps the row version: assignment races end in 409, not silently
    record_instance_event(
        session,
        instance,
        actor,
        kind,
        task_id=task.id,
        task_bpmn_id=task.bpmn_id,
        task_name=task.name,
        data={"assignee": assignee.username if assignee else None},
    )
    return task


def complete_task(
    session: Session,
    task_id: str,
    data: Mapping[str, Any],
    user: User,
    *,
    now: datetime | None = None,
    locale: str = "zh",
) -> LiveInstance:
    """Validate the form data, complete the task, advance the case and record it, all or nothing."""
    task = _task_for(session, task_id, user, act=True)
    live = load_live(session, task.instance_id)
    form = live.definition.forms.get(task.form_key) if task.form_key else None
    cleaned = form.validate(dict(data), now=now, locale=locale) if form else {}
    cleaned.update(_numbers_for(session, live, task, now))
    attachments = attachment_refs(session, live.row.id, form, cleaned)
    before = live.engine.data()
    view = live.engine.complete_task(task_id, cleaned, now)
    save(session, live)
    record_instance_event(
        session,
        live.row,
        Actor.of(user, task.role),
        "task_completed",
        task_id=task_id,
        task_bpmn_id=view.bpmn_id,
        task_name=view.name,
        data=cleaned,
        diff=data_diff(before, live.engine.data()),
        attachments=attachments,
    )
    route_messages(session, live, Actor.of(user, task.role), now)
    return live


def _numbers_for(
    session: Session, live: LiveInstance, task: HumanTask, now: datetime | None
) -> dict[str, str]:
    """Allocate the numbers this task issues (assignNumbers), unless the case already holds them."""
    meta = live.definition.process.user_tasks.get((task.process_id, task.bpmn_id))
    if meta is None or not meta.assign_numbers:
        return {}
    current = live.engine.task_data(task.id)
    moment = now or utcnow()
    return {
        field: allocate(session, get_runtime().numbering, series, moment)
        for field, series in meta.assign_numbers.items()
        if not current.get(field)
    }


def events_for_task(session: Session, task_id: str) -> list[AuditEvent]:
    """Return the audit events recorded for one task."""
    return list(
        session.scalars(select(AuditEvent).where(AuditEvent.task_id == task_id).order_by(AuditEvent.id))
    )
