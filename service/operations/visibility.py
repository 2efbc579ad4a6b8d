"""Which cases a user may read: the rule behind the case list, the case page and every case read."""

from __future__ import annotations

from sqlalchemy import CompoundSelect, Select, or_, select, union

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


def visible_instances(user: User) -> Select[tuple[ProcessInstance]]:
    """Return a query of the instances the user may read.

    Staff see the cases they started, acted on (`case_participants`, kept with the audit log) or
    may act on now (an open task of their role, or held by them): one union of index lookups.
    """
    query = select(ProcessInstance)
    if user.has_role(*SEE_ALL_ROLES):
        return query
    return query.where(ProcessInstance.id.in_(visible_ids(user)))


def visible_ids(user: User) -> CompoundSelect[tuple[int]]:
    """Return the ids of the cases a user without a see-all role may read."""
    acted = select(CaseParticipant.instance_id).where(CaseParticipant.username == user.username)
    may_act = select(HumanTask.instance_id).where(
        or_(HumanTask.role.in_(user.roles), HumanTask.assignee_id == user.id)
    )
    started = select(ProcessInstance.id).where(ProcessInstance.started_by_id == user.id)
    return union(acted, may_act, started)
