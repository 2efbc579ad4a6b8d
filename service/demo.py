"""Demo mode: deploy bpmn/, create one user per role (password = username), start sample cases."""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms import sample_input
from workflows import BpmnValidationError, WorkflowError

from .db import session_scope
from .errors import ServiceError
from .models import HumanTask, ProcessInstance, User
from .operations import attachments as attachment_ops
from .operations import deploy as deploy_ops
from .operations import instances as instance_ops
from .operations import tasks as task_ops
from .operations.audit import SYSTEM_ACTOR
from .operations.users import create_user
from .runtime import get_runtime

DEMO_USERS = {
    "officer1": ("执法队员 张明", ["officer"]),
    "officer2": ("执法队员 李强", ["officer"]),
    "squad_legal": ("中队法制员 王芳", ["squad_legal"]),
    "squad_leader": ("中队长 赵刚", ["squad_leader"]),
    "legal_reviewer": ("法制科 陈静", ["legal_reviewer"]),
    "deputy_head": ("分管领导 周伟", ["deputy_head"]),
    "bureau_head": ("局长 吴军", ["bureau_head"]),
    "clerk": ("内勤 郑丽", ["clerk"]),
    "hotline_liaison": ("热线联络员 孙洁", ["hotline_liaison"]),
    "process_owner": ("流程管理员 冯涛", ["process_owner"]),
    "auditor": ("督察 何平", ["auditor"]),
    "admin": ("系统管理员", ["admin"]),
}
# How many steps each sample case is pushed, giving cases in varied states.
SAMPLE_DEPTHS = (0, 2, 5, 12, 60)


def load_demo(app: Flask) -> Iterator[str]:
    """Set up the demo and yield lines describing what was done."""
    if not app.config.get("DEMO_MODE"):
        raise RuntimeError(
            "zhifa demo only runs with ZHIFA_DEMO_MODE=true (it creates users whose password is their name)"
        )
    with session_scope(app) as session:
        yield from _deploy(session, Path(app.config["BPMN_DIR"]))
        yield from _users(session, app)
        session.commit()
    with session_scope(app) as session:
        yield from _sample_cases(session, app)
    yield "demo logins (password = username): " + ", ".join(DEMO_USERS)


def _deploy(session: Session, folder: Path) -> Iterator[str]:
    files = {p.name: p.read_bytes() for p in sorted(folder.glob("*")) if p.suffix in {".bpmn", ".dmn"}}
    if not files:
        yield f"no diagrams in {folder}"
        return
    try:
        # bpmn/ equal to an older version must not undo what a process owner deployed since.
        results = deploy_ops.deploy_files(session, files, SYSTEM_ACTOR, roll_back=False)
    except BpmnValidationError as exc:
        raise RuntimeError(f"bpmn/ does not validate: {exc}") from exc
    for result in results:
        state = "deployed" if result.created else "current"
        yield f"process {result.row.key} v{result.row.version} {state}"


def _users(session: Session, app: Flask) -> Iterator[str]:
    existing = set(session.scalars(select(User.username)))
    roles = set(app.config["ROLES"])
    for username, (display_name, user_roles) in DEMO_USERS.items():
        if username not in existing:
            create_user(
                session,
                username,
                username,
                user_roles,
                display_name=display_name,
                known_roles=roles,
                actor=SYSTEM_ACTOR,
            )
            yield f"user {username} ({display_name})"


def _sample_cases(session: Session, app: Flask) -> Iterator[str]:
    if session.scalar(select(func.count()).select_from(ProcessInstance)):
        yield "sample cases already present"
        return
    deployed = {row.key for row in deploy_ops.latest_definitions(session)}
    rng = random.Random(2020)  # noqa: S311  (demo data, not security)
    for process_key in [k for k in app.config["DEMO_PROCESSES"] if k in deployed]:
        for depth in SAMPLE_DEPTHS:
            try:
                with session.begin_nested():
                    instance_id = _start_case(session, process_key, rng)
            except (ValidationError, WorkflowError, ServiceError, ValueError) as exc:
                yield f"sample {process_key} could not start: {exc}"
                break
            steps = _advance(session, instance_id, depth, rng)
            session.commit()
            yield f"sample {process_key} #{instance_id}: {steps} step(s) done"


def _user(session: Session, role: str | None) -> User | None:
    name = next((n for n, (_, roles) in DEMO_USERS.items() if role in roles), None)
    return session.scalars(select(User).where(User.username == name)).first() if name else None


def _start_case(session: Session, process_key: str, rng: random.Random) -> int:
    starter = _user(session, "hotline_liaison" if "complaint" in process_key else "officer")
    assert starter is not None  # demo users were created just before
    row = deploy_ops.latest_definition(session, process_key)
    assert row is not None  # only deployed processes are sampled
    loaded = get_runtime().loaded(row)
    key = loaded.process.start_form_key
    today = datetime.now(UTC).date()
    data = sample_input(loaded.forms.get(key).definition, today=today, rng=rng) if key else {}
    return instance_ops.start_instance(session, process_key, data, starter).row.id


def _advance(session: Session, instance_id: int, depth: int, rng: random.Random) -> int:
    done = 0
    while done < depth:
        task = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)).first()
        user = _user(session, task.role) if task else None
        if task is None or user is None:
            break
        try:
            with session.begin_nested():
                _complete(session, task, user, rng)
        except (ValidationError, WorkflowError, ServiceError, ValueError):
            break  # a generated answer the form or diagram refuses: leave the case at this step
        done += 1
    return done


def demo_photo(rng: random.Random, width: int = 48, height: int = 32) -> bytes:
    """A small real PNG of one random colour: uploads are checked against their declared type."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    pixel = bytes(rng.randrange(96, 224) for _ in range(3))
    rows = b"".join(b"\x00" + pixel * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _complete(session: Session, task: HumanTask, user: User, rng: random.Random) -> None:
    detail = task_ops.get_task(session, task.id, user)
    if detail.form is None:
        task_ops.complete_task(session, task.id, {}, user)
        return
    today = datetime.now(UTC).date()

    def attachment(field: str) -> str:
        stored = attachment_ops.store_attachment(
            session,
            task,
            io.BytesIO(demo_photo(rng)),
            filename=f"{field}.png",
            content_type="image/png",
            user=user,
        )
        return stored.id

    data = sample_input(detail.form.definition, today=today, attachment=attachment, rng=rng, vary=True)
    task_ops.complete_task(session, task.id, data, user)
