"""Signed checkpoints of the audit chain, kept outside the database.

The chain proves that no recorded event was changed, but someone with write access to the database
could still delete a whole case, or cut the newest events of a stream and rewind its head. A
checkpoint records, at one moment, the head (seq and hash) of every stream and the ids of all cases,
signed with the audit key (which is not in the database). Verifying against a checkpoint finds
every such cut made after it: each head it names must still be in its chain, each case must exist.
Export on a schedule (the timer worker may call `export_checkpoint_if_due`) and on demand
(`zhifa audit checkpoint`); store the files where the database's writers cannot (write-once storage,
another host).
"""

from __future__ import annotations

import hmac
import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import utcnow
from ..jsonsafe import canonical_json
from ..models import AuditEvent, ProcessInstance
from .audit import audit_key, key_id
from .audit_verify import ChainBreak, Report

FORMAT = 1
PREFIX = "audit-checkpoint-"


def build_checkpoint(session: Session, now: datetime | None = None) -> dict[str, Any]:
    """Return the signed checkpoint of every stream head and every case id, as of now."""
    heads = _heads(session)
    body = {
        "format": FORMAT,
        "created_at": (now or utcnow()).astimezone(UTC).isoformat(),
        "key_id": key_id(audit_key()),
        "streams": {stream: {"seq": seq, "hash": digest} for stream, seq, digest in heads},
        "instances": sorted(session.scalars(select(ProcessInstance.id))),
    }
    return {**body, "signature": _sign(body)}


def _heads(session: Session) -> list[tuple[str, int, str]]:
    latest = (
        select(AuditEvent.stream, func.max(AuditEvent.seq).label("seq"))
        .group_by(AuditEvent.stream)
        .subquery()
    )
    rows = session.execute(
        select(AuditEvent.stream, AuditEvent.seq, AuditEvent.hash)
        .join(latest, (AuditEvent.stream == latest.c.stream) & (AuditEvent.seq == latest.c.seq))
        .order_by(AuditEvent.stream)
    )
    return [(row.stream, row.seq, row.hash) for row in rows]


def _sign(body: Mapping[str, Any]) -> str:
    return hmac.new(audit_key(), canonical_json(body).encode(), "sha256").hexdigest()


def export_checkpoint(session: Session, directory: str | Path, now: datetime | None = None) -> Path:
    """Write a signed checkpoint file into `directory` and return its path."""
    checkpoint = build_checkpoint(session, now)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = checkpoint["created_at"].replace(":", "").replace("+0000", "Z")
    path = folder / f"{PREFIX}{stamp}.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(checkpoint, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, path)  # readers never see half a file
    return path


def export_checkpoint_if_due(
    session: Session, directory: str | Path, every: timedelta, now: datetime | None = None
) -> Path | None:
    """Export a checkpoint unless the newest one in `directory` is younger than `every`."""
    moment = now or utcnow()
    newest = max(Path(directory).glob(f"{PREFIX}*.json"), default=None, key=lambda p: p.stat().st_mtime)
    if newest is not None and moment.timestamp() - newest.stat().st_mtime < every.total_seconds():
        return None
    return export_checkpoint(session, directory, moment)


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read a checkpoint file (ValueError when it is not one)."""
    try:
        checkpoint = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read checkpoint {path}: {exc}") from None
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != FORMAT:
        raise ValueError(f"{path} is not a Zhifa audit checkpoint")
    return checkpoint


def checkpoint_problem(
    session: Session, checkpoint: Mapping[str, Any], report: Report, key: bytes
) -> ChainBreak | None:
    """Compare the database with a checkpoint; the first cut or rewrite found, or None."""
    body = {k: v for k, v in checkpoint.items() if k != "signature"}
    if checkpoint.get("key_id") != key_id(key):
        return _broken(
            "检查点由另一密钥签署 / the key does not match this checkpoint (signed with key id "
            f"{checkpoint.get('key_id')}, this service uses {key_id(key)})",
            "key_mismatch",
        )
    if not hmac.compare_digest(str(checkpoint.get("signature")), _sign(body)):
        return _broken("检查点文件被改动 / the checkpoint file was altered (its signature does not match)")
    for stream, head in sorted(checkpoint.get("streams", {}).items()):
        seq, digest = int(head["seq"]), head["hash"]
        seen = report.seen_at.get((stream, seq))
        if seen is None:
            now_has = report.heads.get(stream, (0, ""))[0]
            return ChainBreak(
                None,
                stream,
                seq,
                f"检查点时已有 {seq} 条记录，现在只有 {now_has} 条 / "
                f"events recorded before the checkpoint are missing (had {seq}, now {now_has})",
                "missing",
            )
        if seen != digest:
            return ChainBreak(
                None,
                stream,
                seq,
                "检查点之前的记录被重写 / an event recorded before the "
                "checkpoint was rewritten (its hash differs from the checkpoint's)",
            )
    return _missing_case(session, checkpoint)


def _missing_case(session: Session, checkpoint: Mapping[str, Any]) -> ChainBreak | None:
    existing = set(session.scalars(select(ProcessInstance.id)))
    for instance_id in checkpoint.get("instances", []):
        if instance_id not in existing:
            return ChainBreak(
                None,
                f"instance:{instance_id}",
                1,
                f"案件 {instance_id} 在检查点时存在，现已被删除 / "
                f"case {instance_id} existed at the checkpoint and has been deleted",
                "missing",
            )
    return None


def _broken(reason: str, kind: str = "checkpoint") -> ChainBreak:
    return ChainBreak(None, "checkpoint", 0, reason, kind)
