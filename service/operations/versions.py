"""Definition versions: which one is current, the history of a process, and rolling back to a version."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import ProcessDefinitionRow, ProcessInstance, User
from ..models.instances import InstanceStatusColumn
from .audit import Actor, record_system_event


@dataclass(frozen=True)
class VersionSummary:
    """One version of a process as the definitions page shows it."""

    row: ProcessDefinitionRow
    current: bool
    deployed_by: str | None
    running: int
    finished: int


def current_versions(session: Session) -> list[ProcessDefinitionRow]:
    """Return the current version of every deployed process, by key."""
    newest = (
        select(ProcessDefinitionRow.key, func.max(ProcessDefinitionRow.activation).label("activation"))
        .group_by(ProcessDefinitionRow.key)
        .subquery()
    )
    rows = session.scalars(
        select(ProcessDefinitionRow).join(
            newest,
            (ProcessDefinitionRow.key == newest.c.key)
            & (ProcessDefinitionRow.activation == newest.c.activation),
        )
    )
    return sorted(rows, key=lambda r: r.key)


def current_version(session: Session, key: str) -> ProcessDefinitionRow | None:
    """Return the version new cases of a process start on (the most recently activated one)."""
    return session.scalars(
        select(ProcessDefinitionRow)
        .where(ProcessDefinitionRow.key == key)
        .order_by(ProcessDefinitionRow.activation.desc())
        .limit(1)
    ).first()


def versions_of(session: Session, key: str) -> list[ProcessDefinitionRow]:
    """Return every version of a process, newest version number first."""
    return list(
        session.scalars(
            select(ProcessDefinitionRow)
            .where(ProcessDefinitionRow.key == key)
            .order_by(ProcessDefinitionRow.version.desc())
        )
    )


def find_version(session: Session, key: str, version: int) -> ProcessDefinitionRow:
    """Return one version of a process.

    Raises:
        NotFound: no such process or version.
    """
    in_range = 0 < version < 2**31  # the column is a 32-bit integer on PostgreSQL
    row = (
        session.scalars(
            select(ProcessDefinitionRow).where(
                ProcessDefinitionRow.key == key, ProcessDefinitionRow.version == version
            )
        ).first()
        if in_range
        else None
    )
    if row is None:
        raise NotFound(f"流程 {key} 没有版本 {version} / process {key} has no version {version}")
    return row


def next_activation(session: Session, key: str) -> int:
    """Return the activation number that makes a version of `key` current."""
    latest = session.scalar(
        select(func.max(ProcessDefinitionRow.activation)).where(ProcessDefinitionRow.key == key)
    )
    return (latest or 0) + 1


def activate(session: Session, row: ProcessDefinitionRow, actor: Actor, reason: str) -> bool:
    """Make a stored version current again (roll-back); return False if it already is."""
    current = current_version(session, row.key)
    if current is not None and current.id == row.id:
        return False
    previous = current.version if current is not None else None
    row.activation = next_activation(session, row.key)
    session.flush()  # the unique (key, activation) constraint catches a concurrent activation here
    record_system_event(
        session,
        actor,
        "definition_activated",
        data={"key": row.key, "version": row.version, "previous_version": previous, "reason": reason},
    )
    return True


def summaries(session: Session, key: str) -> list[VersionSummary]:
    """Describe every version of a process: who deployed it, whether current, cases on it."""
    rows = versions_of(session, key)
    current = current_version(session, key)
    counts = _case_counts(session, [r.id for r in rows])
    deployer_ids = {r.deployed_by_id for r in rows if r.deployed_by_id is not None}
    names = {
        user_id: username
        for user_id, username in session.execute(
            select(User.id, User.username).where(User.id.in_(deployer_ids))
        )
    }
    return [
        VersionSummary(
            row=row,
            current=current is not None and row.id == current.id,
            deployed_by=names.get(row.deployed_by_id) if row.deployed_by_id else None,
            running=counts.get((row.id, True), 0),
            finished=counts.get((row.id, False), 0),
        )
        for row in rows
    ]


def _case_counts(session: Session, definition_ids: list[int]) -> dict[tuple[int, bool], int]:
    """Count cases per (definition, still open?); a case in error is still open."""
    finished = {InstanceStatusColumn.COMPLETED, InstanceStatusColumn.CANCELLED}
    rows = session.execute(
        select(ProcessInstance.definition_id, ProcessInstance.status, func.count())
        .where(ProcessInstance.definition_id.in_(definition_ids))
        .group_by(ProcessInstance.definition_id, ProcessInstance.status)
    )
    counts: dict[tuple[int, bool], int] = {}
    for definition_id, status, count in rows:
        key = (definition_id, status not in finished)
        counts[key] = counts.get(key, 0) + count
    return counts
