"""The case as it stood after any recorded event: diagram states and open deadlines per stored state.

Every save remembers, under the state's hash (the one the next audit event records), which diagram
nodes were done, open or waiting, which flows were taken, and the open tasks with their due times.
The record page reads them back to draw the diagram after a chosen event and to tell whether a
task was completed before its deadline.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from workflows import NodeState, Trace

from ..db import as_utc
from ..models import AuditEvent, AuditStateTrace, ProcessInstance
from .audit import state_hash

if TYPE_CHECKING:  # instances imports this module; the type is only needed for hints
    from .live_instances import LiveInstance


PENDING = "zhifa.pending_state_traces"


def remember_state(session: Session, live: LiveInstance) -> None:
    """Store the trace and open deadlines of the instance's just-saved state (once per state).

    The trace is written with the transaction's next flush, all pending traces in one
    `INSERT ... ON CONFLICT DO NOTHING` (a state stored before keeps its trace): no query per save
    to look for it first (a timer worker's batch of 20 cases flushed 20 such lookups).
    """
    row = live.row
    digest = _row_state_hash(row)
    pending: dict[str, dict[str, Any]] = session.info.setdefault(PENDING, {})
    if digest in pending or _added(session, digest):
        return
    trace = live.engine.trace()
    nodes = [
        [scope, bpmn_id, state.value, trace.counts.get((scope, bpmn_id), 0)]
        for (scope, bpmn_id), state in sorted(trace.states.items())
        if state is not NodeState.NOT_REACHED or trace.counts.get((scope, bpmn_id))
    ]
    tasks = {
        task.id: {"name": task.name, "bpmn_id": task.bpmn_id, "due_at": _iso(task.due_at)}
        for task in row.tasks
    }
    edges = sorted(list(e) for e in trace.taken_edges)
    pending[digest] = {"state_hash": digest, "nodes": nodes, "edges": edges, "tasks": tasks}
    if not event.contains(session, "before_flush", _write_pending):
        event.listen(session, "before_flush", _write_pending)
        event.listen(session, "before_commit", _write_pending)  # a commit with nothing else to flush
        event.listen(session, "after_soft_rollback", _drop_pending)


def _write_pending(session: Session, *_: object) -> None:
    """Before a flush: insert the traces remembered since the last one (a known state is skipped)."""
    pending: dict[str, dict[str, Any]] = session.info.pop(PENDING, {})
    if not pending:
        return
    connection = session.connection()
    dialect_insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(AuditStateTrace).on_conflict_do_nothing(index_elements=["state_hash"])
    connection.execute(statement, list(pending.values()))


def _drop_pending(session: Session, *_: object) -> None:
    """After a rollback: traces of states that were never stored are not written."""
    session.info.pop(PENDING, None)


def _added(session: Session, digest: str) -> bool:
    """Tell whether this transaction already added (and not yet flushed) the snapshot of `digest`."""
    return any(isinstance(o, AuditStateTrace) and o.state_hash == digest for o in session.new)


def _row_state_hash(row: ProcessInstance) -> str:
    status = row.status.value if hasattr(row.status, "value") else str(row.status)
    return state_hash(status, row.state or "")


def _iso(moment: datetime | None) -> str | None:
    return as_utc(moment).isoformat() if moment is not None else None


def snapshots(session: Session, events: list[AuditEvent]) -> dict[str, AuditStateTrace]:
    """Return {state hash: snapshot} for the states the given events recorded."""
    wanted = {e.state_hash for e in events if e.state_hash}
    if not wanted:
        return {}
    found = {}
    for digest in wanted:
        snapshot = session.get(AuditStateTrace, digest)
        if snapshot is not None:
            found[digest] = snapshot
    return found


def as_trace(snapshot: AuditStateTrace) -> Trace:
    """Rebuild the engine-layer trace the diagram builder draws from a stored snapshot."""
    states: dict[tuple[str, str], NodeState] = {}
    counts: dict[tuple[str, str], int] = {}
    for scope, bpmn_id, state, count in snapshot.nodes:
        states[(scope, bpmn_id)] = NodeState(state)
        if count:
            counts[(scope, bpmn_id)] = int(count)
    edges = frozenset((str(a), str(b), str(c)) for a, b, c in snapshot.edges)
    return Trace(states=states, counts=counts, taken_edges=edges)


def open_tasks_before(session: Session, event: AuditEvent) -> dict[str, Any]:
    """Return the tasks that were open just before `event` ({task id: {name, due_at}})."""
    if event.instance_id is None or event.seq <= 1:
        return {}
    previous = session.scalar(
        select(AuditEvent.state_hash).where(
            AuditEvent.stream == event.stream, AuditEvent.seq == event.seq - 1
        )
    )
    snapshot = session.get(AuditStateTrace, previous) if previous else None
    return dict(snapshot.tasks) if snapshot is not None else {}
