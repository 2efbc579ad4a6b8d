"""Long cases over the API, and the restored-engine cache across uploads."""

from __future__ import annotations

import io
import json
import time
from datetime import date
from typing import Any

import pytest
from flask import Flask

from forms import FormRegistry, sample_input
from tests.conftest import DATA, deploy_dir

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00 photo"
FORMS = FormRegistry.from_directory(DATA / "acceptance" / "forms")


def _counting_restores(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    engine = app.extensions["zhifa.runtime"].engine
    calls: list[int] = []
    original = engine.restore

    def restore(*args: Any) -> Any:
        calls.append(1)
        return original(*args)

    monkeypatch.setattr(engine, "restore", restore)
    return calls


def test_an_evidence_upload_keeps_the_cached_case_for_the_completion(
    app: Flask, login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert deploy_dir(login("process_owner"), DATA / "acceptance").status_code == 201
    officer = login("officer1")
    task = officer.post("/process-instances", json={"process_key": "case_flow"}).json["tasks"][0]
    restores = _counting_restores(app, monkeypatch)
    upload = officer.post(
        f"/tasks/{task['id']}/attachments",
        data={"file": (io.BytesIO(JPEG), "现场.jpg", "image/jpeg")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.json
    data = sample_input(FORMS.get("register_case").definition, today=date(2026, 12, 3))
    done = officer.post(f"/tasks/{task['id']}/complete", json={"data": data})
    assert done.status_code == 200, done.json
    assert restores == []  # the engine object cached after the start served the completion
    events = login("auditor").get(f"/process-instances/{done.json['id']}/events").json
    assert [e["kind"] for e in events["items"]][-2:] == ["attachment_uploaded", "task_completed"]


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_two_thousand_review_rounds_over_the_api_stay_flat_and_finish(app: Flask, login: Any) -> None:
    assert deploy_dir(login("process_owner"), DATA / "loops").status_code == 201
    reviewer = login("squad_legal")
    case = login("officer1").post("/process-instances", json={"process_key": "user_loop"}).json
    timings, sizes = [], {}
    for round_no in range(1, 2001):
        task = case["tasks"][0]
        started = time.perf_counter()
        response = reviewer.post(f"/tasks/{task['id']}/complete", json={"data": {"approved": False}})
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (round_no, response.json)
        case = response.json
        if round_no in (10, 2000):
            sizes[round_no] = _stored_state_size(app, case["id"])
    final = reviewer.post(f"/tasks/{case['tasks'][0]['id']}/complete", json={"data": {"approved": True}})
    assert final.json["status"] == "completed"
    assert sizes[2000] < 2 * sizes[10], sizes
    early, late = sorted(timings[5:50])[22], sorted(timings[1950:1995])[22]
    assert late < 3 * early, (early, late)  # medians; generous: other work shares this machine


def _stored_state_size(app: Flask, instance_id: int) -> int:
    from service.db import session_scope
    from service.models import ProcessInstance

    with app.app_context(), session_scope(app) as session:
        row = session.get(ProcessInstance, instance_id)
        assert row is not None
        return len(json.dumps(json.loads(row.state)))
