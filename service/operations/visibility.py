"""Which cases a user may read: the rule behind the case list, the case page and every case read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Select, exists, or_, select, union

from ..models import CaseParticipant, HumanTask, ProcessInstance, User
from .search import walks_newest_first

# Roles that see every case; everyone else sees cases they started, acted on, or may act on now.
SEE_ALL_ROLES = (
    "auditor",
    "admin",
    "bureau_head",
    "deputy_head",
    "squad_leader",
    "legal_reviewer",
)


def visible_instances(user: User, *, counting: bool = False) -> Select[tuple[ProcessInstance]]:
    """Return a query of the instances the user may read.

    Staff see the cases they started, acted on (`case_participants`, kept with the audit log) or
    may act on now (an open task of their role, or held by them). For a page the rule is tested
    per case (index probes, and the walk stops when the page is full); for a count (`counting`) it
    is one set of ids from three index scans, joined with the cases.
    """
    query = select(ProcessInstance)
    if user.has_role(*SEE_ALL_ROLES):
        return query
    return query.where(ProcessInstance.id.in_(visible_ids(user)) if counting else visible_to(user))


def visible_ids(user: User) -> CompoundSelect[tuple[int]]:
    """Return the ids of the cases a user without a see-all role may read (one set, for counting)."""
    acted = select(CaseParticipant.instance_id).where(CaseParticipant.username == user.username)
    may_act = select(HumanTask.instance_id).where(
        or_(HumanTask.role.in_(user.roles), HumanTask.assignee_id == user.id)
    )
    started = select(ProcessInstance.id).where(ProcessInstance.started_by_id == user.id)
    return union(acted, may_act, started)


def visible_to(user: User) -> ColumnElement[bool]:
    """Return the condition a case must meet for a user without a see-all role to read it."""
    acted = exists().where(
        CaseParticipant.username == user.username, CaseParticipant.instance_id == ProcessInstance.id
    )
    # Two probes, not one with an OR: each has an index of its own (the role probe reads
    # `ix_human_tasks_role_due`, which includes the case id, alone), also when the planner hashes
    # them for a walk over many cases.
    role_task = exists().where(HumanTask.instance_id == ProcessInstance.id, HumanTask.role.in_(user.roles))
    held_task = exists().where(HumanTask.instance_id == ProcessInstance.id, HumanTask.assignee_id == user.id)
    return or_(ProcessInstance.started_by_id == user.id, acted, role_task, held_task)


def newest_first(text: str | None) -> ColumnElement[Any]:
    """Return the list order, newest case first.

    With a text filter of two or more characters the order key is `id + 0`: PostgreSQL then takes the
    few index matches and sorts them, instead of walking the primary key backwards testing `LIKE` on
    every case until a page is full (its estimate of the matches is far too high for that to pay).
    For one character it chooses itself (see search.walks_newest_first).
    """
    return ProcessInstance.id.desc() if walks_newest_first(text) else (ProcessInstance.id + 0).desc()
