"""Evidence uploads: content-addressed storage and checks that forms reference real attachments."""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from pathlib import Path
from typing import IO, Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms import Form

from ..errors import Conflict, Invalid, PayloadTooLarge
from ..filetypes import HEAD_BYTES, check_declared, normalise
from ..models import Attachment, HumanTask, ProcessInstance, User
from .audit import Actor, record_instance_event
from .instances import get_visible

CHUNK = 1024 * 1024
UPLOAD_PREFIX = ".upload-"


class QuotaExceeded(Invalid):
    """A task or case already holds as many attachments (or bytes) as the configuration allows."""

    code = "quota_exceeded"


def store_attachment(
    session: Session, task: HumanTask, stream: IO[bytes], *, filename: str, content_type: str, user: User
) -> Attachment:
    """Store an uploaded file under its SHA-256 and record it against the task's instance.

    The content must be what the upload says it is (sniffed from its first bytes), the task and the
    case must have room under their quotas, and the task must still be open when it is recorded.
    """
    declared = normalise(content_type)
    if declared not in current_app.config["ALLOWED_ATTACHMENT_TYPES"]:
        raise Invalid(
            "不支持的文件类型 / file type not allowed", {"file": [f"{content_type} is not allowed"]}
        )
    digest, size, temp_path, head = _spool(stream, current_app.config["MAX_ATTACHMENT_BYTES"])
    try:
        stored_type = _checked_upload(session, task, declared, size, head)
        # Read the case first: a completion committed after this read makes our audit append fail (409).
        instance = get_visible(session, task.instance_id, user)
        if session.scalar(select(HumanTask.id).where(HumanTask.id == task.id)) is None:
            raise Conflict("任务已办结，不能再上传附件 / the task is completed: no more uploads")
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
    _move_into_store(temp_path, digest)
    return _record_upload(session, task, instance, user, digest, size, stored_type, filename)


def _record_upload(  # noqa: PLR0917  (a private step of store_attachment, called once)
    session: Session,
    task: HumanTask,
    instance: ProcessInstance,
    user: User,
    digest: str,
    size: int,
    content_type: str,
    filename: str,
) -> Attachment:
    attachment = Attachment(
        id=str(uuid.uuid4()),
        sha256=digest,
        size=size,
        content_type=content_type,
        filename=safe_filename(filename),
        instance_id=task.instance_id,
        task_id=task.id,
        uploaded_by_id=user.id,
    )
    session.add(attachment)
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


def _checked_upload(session: Session, task: HumanTask, declared: str, size: int, head: bytes) -> str:
    """Refuse empty or mislabelled content and uploads over quota; return the type to store."""
    if size == 0:
        raise Invalid("文件为空 / empty file", {"file": ["empty"]})
    problem, stored_type = check_declared(declared, head)
    if problem is not None:
        raise Invalid("文件内容与类型不符 / file content does not match its type", {"file": [problem]})
    config = current_app.config
    for scope, column, key, files_limit, bytes_limit in (
        ("task", Attachment.task_id, task.id, config["MAX_FILES_PER_TASK"], config["MAX_BYTES_PER_TASK"]),
        (
            "case",
            Attachment.instance_id,
            task.instance_id,
            config["MAX_FILES_PER_CASE"],
            config["MAX_BYTES_PER_CASE"],
        ),
    ):
        files, total = session.execute(
            select(func.count(), func.coalesce(func.sum(Attachment.size), 0)).where(column == key)
        ).one()
        if files + 1 > files_limit or total + size > bytes_limit:
            raise QuotaExceeded(
                f"附件已达上限 / the {scope}'s attachment quota is used up",
                {"file": [f"{scope}: at most {files_limit} files and {bytes_limit // (1024 * 1024)} MB"]},
            )
    return stored_type


def safe_filename(filename: str) -> str:
    """Keep the last path component, without control characters, at most 255 characters."""
    name = "".join(ch for ch in Path(filename.replace("\\", "/")).name if ch.isprintable())
    return name.strip()[:255] or "upload"


def _store_dir() -> Path:
    return Path(current_app.config["ATTACHMENT_DIR"])


def blob_path(digest: str) -> Path:
    """Return where the bytes of a SHA-256 digest live."""
    return _store_dir() / digest[:2] / digest


def _spool(stream: IO[bytes], limit: int) -> tuple[str, int, Path, bytes]:
    _store_dir().mkdir(parents=True, exist_ok=True)
    digest, size, head = hashlib.sha256(), 0, b""
    handle = tempfile.NamedTemporaryFile(dir=_store_dir(), delete=False, prefix=UPLOAD_PREFIX)  # noqa: SIM115
    with handle:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                handle.close()
                Path(handle.name).unlink(missing_ok=True)
                raise PayloadTooLarge(f"文件超过 {limit // (1024 * 1024)} MB / file too large")
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
            digest.update(chunk)
            handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())
    return digest.hexdigest(), size, Path(handle.name), head


def _move_into_store(temp_path: Path, digest: str) -> None:
    target = blob_path(digest)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        try:
            # Same content already stored (content addressing dedupes). Freshen it, so the collector
            # (attachments gc), which only takes files untouched for a while, leaves it alone.
            os.utime(target)
        except FileNotFoundError:
            os.replace(temp_path, target)  # the collector took it just now: put the bytes back
            return
        temp_path.unlink(missing_ok=True)
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
