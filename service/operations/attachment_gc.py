"""Collect stored files no attachment row refers to (uploads whose transaction never committed).

Safe while uploads run: a file is taken only when it is older than a grace period and has no row;
it is first moved aside, then checked again (an upload of the same content freshens the file's
time, and a just-committed row shows up), and only then deleted. An upload that finds its file
moved aside puts its own copy back. Rows are never deleted: every uploaded file is in the audit
record, evidence once recorded is kept.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Attachment
from .attachments import UPLOAD_PREFIX

_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_ASIDE = ".gc"


@dataclass
class GcResult:
    """What a collection removed and kept."""

    removed: int = 0
    removed_bytes: int = 0
    stale_uploads: int = 0
    kept_recent: int = 0


def collect_orphans(
    session: Session, store: Path, *, grace_seconds: float, dry_run: bool = False
) -> GcResult:
    """Remove stored files without a row and abandoned upload files, older than `grace_seconds`."""
    result = GcResult()
    if not store.is_dir():
        return result
    cutoff = time.time() - grace_seconds
    old: dict[str, Path] = {}
    for path in store.glob("??/*"):
        digest = path.name.removesuffix(_ASIDE)
        if path.parent.name != digest[:2] or not _DIGEST.match(digest):
            continue
        mtime = _mtime(path)
        if mtime is None:
            continue
        if mtime > cutoff:
            result.kept_recent += 1
        else:
            old[digest] = path
    candidates = {d: p for d, p in old.items() if d not in _referenced(session, list(old))}
    if dry_run:
        result.removed = len(candidates)
        result.removed_bytes = sum(p.stat().st_size for p in candidates.values())
    else:
        _take(session, candidates, cutoff, result)
    for temp in store.glob(f"{UPLOAD_PREFIX}*"):
        mtime = _mtime(temp)
        if mtime is not None and mtime <= cutoff:
            result.stale_uploads += 1
            if not dry_run:
                temp.unlink(missing_ok=True)
    return result


def _mtime(path: Path) -> float | None:
    """Return the file's modification time, or None when it went away since the listing."""
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # an upload finished, or another collector moved it aside
        return None


def _referenced(session: Session, digests: list[str]) -> set[str]:
    """Return the digests some attachment row refers to, as committed now."""
    session.rollback()  # a fresh transaction sees rows committed since the last look
    found: set[str] = set()
    for start in range(0, len(digests), 500):
        chunk = digests[start : start + 500]
        found.update(
            session.scalars(select(Attachment.sha256).where(Attachment.sha256.in_(chunk)).distinct())
        )
    session.rollback()
    return found


def _take(session: Session, candidates: dict[str, Path], cutoff: float, result: GcResult) -> None:
    """Move the candidates aside, look again, then delete or put back each one."""
    aside: dict[str, Path] = {}
    for digest, path in candidates.items():
        target = path.with_name(digest + _ASIDE)
        try:
            if path != target:
                os.replace(path, target)
        except FileNotFoundError:
            continue
        aside[digest] = target
    referenced = _referenced(session, list(aside))
    for digest, moved in aside.items():
        blob = moved.with_name(digest)
        if moved.stat().st_mtime > cutoff or digest in referenced:
            # Freshened by an upload just before we moved it, or a row was committed meanwhile.
            if blob.exists():
                moved.unlink(missing_ok=True)  # the upload already put its own copy back
            else:
                os.replace(moved, blob)
            continue
        result.removed, result.removed_bytes = result.removed + 1, result.removed_bytes + moved.stat().st_size
        moved.unlink(missing_ok=True)
