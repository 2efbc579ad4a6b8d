"""Evidence uploads: content must match its type, quotas hold, completed tasks take none, orphans go."""

from __future__ import annotations

import hashlib
import io
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from forms import FormRegistry
from service.db import session_scope
from service.models import Attachment
from service.operations import attachments as attachment_ops
from service.operations.attachment_gc import collect_orphans
from tests.conftest import DATA, deploy_dir
from tests.service.walk import task_input

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
PDF = b"%PDF-1.7\n"
FORMS = FormRegistry.from_directory(DATA / "acceptance" / "forms")


@pytest.fixture
def task(login: Any) -> dict[str, Any]:
    """The first open task of a new acceptance case (register_case, officers)."""
    assert deploy_dir(login("process_owner"), DATA / "acceptance").status_code == 201
    case = login("officer1").post("/process-instances", json={"process_key": "case_flow"}).json
    first: dict[str, Any] = case["tasks"][0]
    return first


def _send(api: Any, task_id: str, content: bytes, mimetype: str, name: str = "证据") -> Any:
    data = {"file": (io.BytesIO(content), name, mimetype)}
    return api.post(f"/tasks/{task_id}/attachments", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize(
    ("content", "declared", "status", "stored"),
    [
        (JPEG + b"photo", "image/jpeg", 201, "image/jpeg"),
        (JPEG + b"photo", "image/jpg", 201, "image/jpeg"),
        (PNG + b"scan", "image/png", 201, "image/png"),
        (PDF + b"report", "application/pdf", 201, "application/pdf"),
        (b"<html><script>alert(1)</script>", "image/jpeg", 422, None),
        (JPEG + b"photo", "image/png", 422, None),
        (b"MZ\x90\x00 an executable", "application/pdf", 422, None),
        (b"  <svg onload=alert(1)>", "application/octet-stream", 422, None),
        (b"PK\x03\x04 a zip", "application/octet-stream", 422, None),
        (PNG + b"scan", "application/octet-stream", 201, "image/png"),
        (b"\x00\x01\x02 sensor dump", "application/octet-stream", 201, "application/octet-stream"),
    ],
)
def test_content_is_sniffed_against_the_declared_type(
    login: Any, task: dict[str, Any], content: bytes, declared: str, *, status: int, stored: str | None
) -> None:
    response = _send(login("officer1"), task["id"], content, declared)
    assert response.status_code == status, response.json
    if stored is not None:
        assert response.json["content_type"] == stored
    else:
        assert "file" in response.json["details"]


def test_file_names_lose_paths_and_control_characters(login: Any, task: dict[str, Any]) -> None:
    officer = login("officer1")
    response = _send(officer, task["id"], JPEG, "image/jpeg", name="..\\..\\etc/现场\x1b照片\x07.jpg")
    assert response.status_code == 201, response.json
    assert response.json["filename"] == "现场照片.jpg"
    with_nul = _send(officer, task["id"], JPEG + b"n", "image/jpeg", name="现场\x00照片.jpg")
    assert (with_nul.status_code, with_nul.json["code"]) == (422, "validation_error")  # refused, not cleaned


def test_per_task_and_per_case_quotas_hold(app: Flask, login: Any, task: dict[str, Any]) -> None:
    officer = login("officer1")
    app.config.update(MAX_FILES_PER_TASK=2, MAX_BYTES_PER_CASE=10_000)
    assert _send(officer, task["id"], JPEG + b"1", "image/jpeg").status_code == 201
    assert _send(officer, task["id"], JPEG + b"2", "image/jpeg").status_code == 201
    third = _send(officer, task["id"], JPEG + b"3", "image/jpeg")
    assert (third.status_code, third.json["code"]) == (422, "quota_exceeded")
    assert "task" in third.json["details"]["file"][0]
    app.config.update(MAX_FILES_PER_TASK=50)
    big = _send(officer, task["id"], JPEG + b"x" * 9_990, "image/jpeg")
    assert (big.status_code, big.json["code"]) == (422, "quota_exceeded")
    assert "case" in big.json["details"]["file"][0]
    events = login("auditor").get(f"/process-instances/{task['instance_id']}/events").json["items"]
    assert [e["kind"] for e in events].count("attachment_uploaded") == 2


def test_an_upload_to_a_completed_task_is_refused(login: Any, task: dict[str, Any]) -> None:
    officer = login("officer1")
    data = task_input(officer, task["id"], FORMS, {"received_on": "2026-09-29"}, today=_today())
    assert officer.post(f"/tasks/{task['id']}/complete", json={"data": data}).status_code == 200
    late = _send(officer, task["id"], JPEG, "image/jpeg")
    assert late.status_code == 409


def test_an_upload_racing_the_completion_of_its_task_is_refused(
    app: Flask, login: Any, task: dict[str, Any], monkeypatch: Any
) -> None:
    if not app.config["DATABASE_URL"].startswith("postgresql"):
        pytest.skip("SQLite takes the write lock at the first statement: this interleaving cannot happen")
    officer, other = login("officer1"), login("officer2")
    data = task_input(officer, task["id"], FORMS, {"received_on": "2026-09-29"}, today=_today())
    real = attachment_ops.get_visible
    completed: list[int] = []

    def complete_meanwhile(*args: Any, **kwargs: Any) -> Any:
        thread = threading.Thread(
            target=lambda: completed.append(
                other.client.post(
                    f"/api/v1/tasks/{task['id']}/complete", json={"data": data}, headers=other.headers
                ).status_code
            )
        )
        thread.start()
        thread.join(timeout=60)
        return real(*args, **kwargs)

    monkeypatch.setattr(attachment_ops, "get_visible", complete_meanwhile)
    raced = _send(officer, task["id"], JPEG + b"late", "image/jpeg")
    assert completed == [200]
    assert raced.status_code == 409, raced.json
    monkeypatch.undo()
    events = login("auditor").get(f"/process-instances/{task['instance_id']}/events").json["items"]
    assert "attachment_uploaded" not in [e["kind"] for e in events]


def _today() -> Any:
    from datetime import date

    return date(2026, 10, 9)


def _blob(store: Path, content: bytes, *, age: float) -> Path:
    digest = hashlib.sha256(content).hexdigest()
    path = store / digest[:2] / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    os.utime(path, (time.time() - age, time.time() - age))
    return path


def test_gc_removes_old_orphans_and_abandoned_uploads_only(
    app: Flask, login: Any, task: dict[str, Any], runner_for: Any
) -> None:
    store = Path(app.config["ATTACHMENT_DIR"])
    kept = _send(login("officer1"), task["id"], JPEG + b"kept", "image/jpeg").json
    referenced = store / kept["sha256"][:2] / kept["sha256"]
    os.utime(referenced, (time.time() - 7200, time.time() - 7200))
    old_orphan = _blob(store, b"never committed", age=7200)
    new_orphan = _blob(store, b"being uploaded now", age=10)
    abandoned = store / ".upload-abandoned"
    abandoned.write_bytes(b"half")
    os.utime(abandoned, (time.time() - 7200, time.time() - 7200))
    dry = runner_for(app).invoke(["attachments", "gc", "--grace-hours", "1", "--dry-run"])
    assert "would remove 1 orphan file(s)" in dry.output, dry.output
    assert old_orphan.exists()
    result = runner_for(app).invoke(["attachments", "gc", "--grace-hours", "1"])
    assert "removed 1 orphan file(s) (15 bytes) and 1 abandoned upload(s)" in result.output, result.output
    assert not old_orphan.exists()
    assert not abandoned.exists()
    assert referenced.exists()
    assert new_orphan.exists()


@pytest.mark.slow
def test_gc_running_during_uploads_of_the_same_content_loses_nothing(
    app: Flask, login: Any, task: dict[str, Any]
) -> None:
    store = Path(app.config["ATTACHMENT_DIR"])
    contents = [JPEG + f"photo {i}".encode() for i in range(6)]
    officer = login("officer1")
    stop = threading.Event()

    def collect() -> None:
        with app.app_context(), session_scope(app) as session:
            while not stop.is_set():
                for content in contents:  # every upload's content sits there as an old orphan first
                    digest = hashlib.sha256(content).hexdigest()
                    if not (store / digest[:2] / digest).exists():
                        _blob(store, content, age=7200)
                collect_orphans(session, store, grace_seconds=3600)
                time.sleep(0.01)

    collector = threading.Thread(target=collect)
    collector.start()
    try:
        for round_ in range(4):
            for content in contents:
                response = _send(officer, task["id"], content, "image/jpeg", name=f"{round_}.jpg")
                assert response.status_code == 201, response.json
    finally:
        stop.set()
        collector.join(timeout=60)
    with app.app_context(), session_scope(app) as session:
        digests = set(session.scalars(Attachment.__table__.select().with_only_columns(Attachment.sha256)))
    assert len(digests) == len(contents)
    for digest in digests:
        assert (store / digest[:2] / digest).read_bytes() in contents
