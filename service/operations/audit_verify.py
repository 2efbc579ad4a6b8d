"""Verify the audit chain: every link, every case's stored state, and (optionally) a signed checkpoint.

The walk streams raw column values (JSON as text, times as stored), so one garbled row is named as a
broken link instead of ending the walk in a traceback, and a million events need no more memory
than one batch. A key that matches no event at all is reported as a key mismatch, not as tampering.
`progress(checked, total)` is called every `PROGRESS_EVERY` events, for the CLI and a polling UI.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Text, cast, func, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import String

from ..db import as_utc
from ..models import AuditEvent, ProcessInstance
from .audit import GENESIS, HASHED_FIELDS, audit_key, hash_fields, instance_stream, key_id, state_hash

PROGRESS_EVERY = 10_000
KEY_PROBE_STREAMS = 50
Progress = Callable[[int, int], None]
_JSON_FIELDS = ("data", "diff", "attachments")


@dataclass(frozen=True)
class ChainBreak:
    """The first thing found wrong, and why, in words an auditor understands."""

    event_id: int | None
    stream: str
    seq: int
    reason: str
    kind: str = "tampered"  # tampered | unreadable | key_mismatch | missing | state_changed | checkpoint


@dataclass
class Report:
    """What a verification found."""

    checked: int = 0
    total: int = 0
    first_break: ChainBreak | None = None
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)  # stream -> (last seq, last hash)
    state_hashes: dict[int, str] = field(default_factory=dict)  # instance id -> head event's state hash
    seen_at: dict[tuple[str, int], str] = field(default_factory=dict)  # checkpoint links met on the way

    @property
    def ok(self) -> bool:
        """Tell whether nothing was found wrong."""
        return self.first_break is None


def verify(
    session: Session,
    *,
    stream: str | None = None,
    checkpoint: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> Report:
    """Check every chain (or one stream), the cases' stored states, and a checkpoint if given."""
    key = audit_key()
    report = Report(total=_count(session, stream))
    if progress is not None:
        progress(0, report.total)  # a page polling the run shows the size of the work at once
    wanted = {(s, int(h["seq"])) for s, h in (checkpoint or {}).get("streams", {}).items()}
    report.first_break = _walk(session, stream, key=key, report=report, wanted=wanted, progress=progress)
    if report.first_break is None:
        report.first_break = _check_heads(session, report, stream)
    if report.first_break is None and checkpoint is not None:
        from .audit_checkpoint import checkpoint_problem

        report.first_break = checkpoint_problem(session, checkpoint, report, key)
    if progress is not None:
        progress(report.checked, report.total)
    return report


def _count(session: Session, stream: str | None) -> int:
    query = select(func.count()).select_from(AuditEvent)
    if stream is not None:
        query = query.where(AuditEvent.stream == stream)
    return session.scalar(query) or 0


def _walk(
    session: Session,
    stream: str | None,
    *,
    key: bytes,
    report: Report,
    wanted: set[tuple[str, int]],
    progress: Progress | None,
) -> ChainBreak | None:
    current, expected_prev, expected_seq = None, GENESIS, 1
    verified_any = False
    for row in _raw_events(session, stream):
        if row["stream"] != current:
            current, expected_prev, expected_seq = row["stream"], GENESIS, 1
        report.checked += 1
        if progress is not None and report.checked % PROGRESS_EVERY == 0:
            progress(report.checked, report.total)
        problem = _link_problem(row, expected_prev, expected_seq, key)
        if problem is not None:
            if problem.kind == "tampered" and not verified_any and _key_matches_nothing(session, key):
                return _key_mismatch(row)
            return problem
        verified_any = True
        if (current, row["seq"]) in wanted:
            report.seen_at[(current, row["seq"])] = row["hash"]
        expected_prev, expected_seq = row["hash"], row["seq"] + 1
        report.heads[current] = (row["seq"], row["hash"])
        if row["instance_id"] is not None:
            report.state_hashes[row["instance_id"]] = row["state_hash"]
    return None


def _raw_query() -> Select[Any]:
    """Select events as plain values: JSON columns as text, the time as stored."""
    columns = []
    for name in ("id", *HASHED_FIELDS, "hash"):
        column = getattr(AuditEvent, name)
        if name in _JSON_FIELDS:
            column = cast(column, Text)
        elif name == "occurred_at":
            column = type_coerce(column, String)
        columns.append(column.label(name))
    return select(*columns)


def _raw_events(session: Session, stream: str | None) -> Iterator[dict[str, Any]]:
    """Yield events as plain values in (stream, seq) order, one batch in memory at a time."""
    query = _raw_query().order_by(AuditEvent.stream, AuditEvent.seq)
    if stream is not None:
        query = query.where(AuditEvent.stream == stream)
    result = session.execute(query.execution_options(yield_per=2000))
    try:
        for row in result:
            yield dict(row._mapping)
    finally:
        result.close()  # a verifier that stops at the first break must not leave a server cursor open


def _link_problem(
    row: dict[str, Any], expected_prev: str, expected_seq: int, key: bytes
) -> ChainBreak | None:
    where = (row["id"], row["stream"], row["seq"] if isinstance(row["seq"], int) else expected_seq)
    if row["seq"] != expected_seq:
        return ChainBreak(
            *where,
            f"第 {expected_seq} 条记录缺失 / sequence gap: expected {expected_seq}, found {row['seq']} "
            "(an event was removed)",
            "missing",
        )
    if row["prev_hash"] != expected_prev:
        return ChainBreak(
            *where,
            "与前一条记录的链接断开 / previous-hash link broken (an earlier event was altered or removed)",
        )
    try:
        fields = _decoded(row)
    except (ValueError, TypeError) as exc:
        return ChainBreak(*where, f"记录无法读取 / this stored event cannot be read ({exc})", "unreadable")
    if not isinstance(row["hash"], str) or not hmac.compare_digest(hash_fields(fields, key), row["hash"]):
        return ChainBreak(
            *where, "记录内容与其签名不符 / content does not match its hash (this event was altered)"
        )
    return None


def _decoded(row: Mapping[str, Any]) -> dict[str, Any]:
    """Return the hashed fields as the recorder saw them; ValueError when a column is garbage."""
    fields = {name: row[name] for name in HASHED_FIELDS}
    for name in _JSON_FIELDS:
        text = row[name]
        fields[name] = None if text is None else json.loads(text)
    moment = row["occurred_at"]
    moment = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if not isinstance(moment, datetime):
        raise ValueError(f"occurred_at is {moment!r}")
    fields["occurred_at"] = as_utc(moment)
    return fields


def _key_matches_nothing(session: Session, key: bytes) -> bool:
    """Tell whether not one of the first events of up to KEY_PROBE_STREAMS streams verifies with `key`."""
    query = _raw_query().where(AuditEvent.seq == 1).order_by(AuditEvent.id).limit(KEY_PROBE_STREAMS)
    for row in session.execute(query):
        values = dict(row._mapping)
        try:
            if hmac.compare_digest(hash_fields(_decoded(values), key), str(values["hash"])):
                return False
        except (ValueError, TypeError):
            continue
    return True


def _key_mismatch(row: Mapping[str, Any]) -> ChainBreak:
    return ChainBreak(
        row["id"],
        row["stream"],
        row["seq"],
        f"审计密钥与本数据库不符 / the key does not match this database (key id {key_id(audit_key())}); "
        "check ZHIFA_AUDIT_KEY / ZHIFA_SECRET_KEY: no event verifies with it, which is no sign of tampering",
        "key_mismatch",
    )


def _check_heads(session: Session, report: Report, stream: str | None) -> ChainBreak | None:
    """Compare each case's recorded head and stored state with its chain."""
    query = select(
        ProcessInstance.id,
        ProcessInstance.audit_seq,
        ProcessInstance.audit_head,
        ProcessInstance.status,
        ProcessInstance.state,
    )
    if stream is not None:
        if not stream.startswith("instance:"):
            return None
        query = query.where(ProcessInstance.id == int(stream.split(":", 1)[1]))
    result = session.execute(query.execution_options(yield_per=200))
    try:
        for row in result:
            problem = _case_problem(row, report)
            if problem is not None:
                return problem
    finally:
        result.close()  # stopping early must not leave a server cursor open
    return None


def _case_problem(row: Any, report: Report) -> ChainBreak | None:
    name = instance_stream(row.id)
    head = report.heads.get(name)
    if head is None:
        if row.audit_seq:
            return ChainBreak(
                None, name, 1, "案件的全部记录缺失 / all events of this case are missing", "missing"
            )
        return None
    if (row.audit_seq, row.audit_head) != head:
        return ChainBreak(
            None, name, head[0] + 1, "最后几条记录缺失 / events after the last one are missing", "missing"
        )
    recorded = report.state_hashes.get(row.id)
    status = row.status.value if hasattr(row.status, "value") else str(row.status)
    if recorded is not None and recorded != state_hash(status, row.state or ""):
        return ChainBreak(
            None,
            name,
            head[0],
            "案件数据在最后一条记录之后被改动 / the case's stored data changed after its last recorded event "
            "(edited outside the application)",
            "state_changed",
        )
    return None
