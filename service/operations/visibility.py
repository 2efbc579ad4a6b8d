"""Which cases a user may read: the rule behind the case list, the case page and every case read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Select, exists, or_, select, union

from ..models import CaseParticipant, HumanTask, ProcessInstance, User

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
    may_act = exists().where(
        HumanTask.instance_id == ProcessInstance.id,
        or_(HumanTask.role.in_(user.roles), HumanTask.assignee_id == user.id),
    )
    return or_(ProcessInstance.started_by_id == user.id, acted, may_act)


def newest_first(text: str | None) -> ColumnElement[Any]:
    """Return the list order, newest case first.

    With a text filter the order key is `id + 0`: PostgreSQL then takes the few trigram-index matches
    and sorts them, instead of walking the primary key backwards testing `LIKE` on every case until
    a page is full (its estimate of the matches is far too high for that to pay).
    """
    return (ProcessInstance.id + 0).desc() if text else ProcessInstance.id.desc()
