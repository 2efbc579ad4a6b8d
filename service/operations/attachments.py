"""Evidence uploads: content-addressed storage and checks that forms reference real attachments."""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from pathlib import Path
from typing import IO, Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from forms import Form

from ..errors import Invalid, PayloadTooLarge
from ..models import Attachment, HumanTask, User
from .audit import Actor, record_instance_event
from .instances import get_visible

CHUNK = 1024 * 1024


def store_attachment(
    session: Session, task: HumanTask, stream: IO[bytes], *, filename: str, content_type: str, user: User
) -> Attachment:
    """Store an uploaded file under its SHA-256 and record it against the task's instance."""
    allowed = current_app.config["ALLOWED_ATTACHMENT_TYPES"]
    if content_type not in allowed:
        raise Invalid(
            "不支持的文件类型 / file type not allowed", {"file": [f"{content_type} is not allowed"]}
        )
    digest, size, temp_path = _spool(stream, current_app.config["MAX_ATTACHMENT_BYTES"])
    if size == 0:
        temp_path.unlink(missing_ok=True)
        raise Invalid("文件为空 / empty file", {"file": ["empty"]})
    _move_into_store(temp_path, digest)
    attachment = Attachment(
        id=str(uuid.uuid4()),
        sha256=digest,
        size=size,
        content_type=content_type,
        filename=Path(filename).name[:255] or "upload",
        instance_id=task.instance_id,
        task_id=task.id,
        uploaded_by_id=user.id,
    )
    session.add(attachment)
    instance = get_visible(session, task.instance_id, user)
    record_instance_event(
        session,
        instance,
        Actor.of(user, task.role),
        "attachment_uploaded",
        task_id=task.id,
        task_bpmn_id=task.bpmn_id,
        task_name=task.name,
        attachments=[{"id": attachment.id, "sha256": digest, "size": size, "filename": attachment.filename}],
    )
    return attachment


def _store_dir() -> Path:
    return Path(current_app.config["ATTACHMENT_DIR"])


def blob_path(digest: str) -> Path:
    """Return where the bytes of a SHA-256 digest live."""
    return _store_dir() / digest[:2] / digest


def _spool(stream: IO[bytes], limit: int) -> tuple[str, int, Path]:
    _store_dir().mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    handle = tempfile.NamedTemporaryFile(dir=_store_dir(), delete=False, prefix=".upload-")  # noqa: SIM115
    with handle:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                handle.close()
                Path(handle.name).unlink(missing_ok=True)
                raise PayloadTooLarge(f"文件超过 {limit // (1024 * 1024)} MB / file too large")
            digest.update(chunk)
            handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())
    return digest.hexdigest(), size, Path(handle.name)


def _move_into_store(temp_path: Path, digest: str) -> None:
    target = blob_path(digest)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        temp_path.unlink(missing_ok=True)  # same content already stored: content addressing dedupes
        return
    os.replace(temp_path, target)


def attachment_refs(
    session: Session, instance_id: int, form: Form | None, data: dict[str, Any]
) -> list[dict[str, Any]]:
    """Check every attachment id in the form data belongs to this instance; return their hashes."""
    if form is None:
        return []
    ids = form.attachment_ids(data)
    if not ids:
        return []
    found = {
        a.id: a
        for a in session.scalars(
            select(Attachment).where(Attachment.id.in_(ids), Attachment.instance_id == instance_id)
        )
    }
    missing = sorted(set(ids) - found.keys())
    if missing:
        raise Invalid(
            "附件不存在 / unknown attachment",
            {"attachments": [f"unknown attachment id {m}" for m in missing]},
        )
    return [{"id": i, "sha256": found[i].sha256, "filename": found[i].filename} for i in ids]
