"""`case_after_closure` reads the closed case (docs/legal.md "After closure"): started by the closed
case's id or number it takes the case number, parties, address and whether a 失信 record and a house
annotation are still in place from the case's final data; the case must exist, be closed and be
readable by the starter. A number Zhifa does not know (a case that predates it) is typed in as before.
The closed case's page offers 「结案后事项」, which opens the start form prefilled.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask

from service.db import get_session
from service.jsonsafe import to_json_value
from service.models import ProcessInstance
from service.operations import closed_case
from tests.bpmn import steps_case as case
from tests.service import test_api_case_routine as routine
from tests.service import test_calendar_walk as real_clock
from tests.web.test_pages import _token
from tests.web.test_signin import sign_in

app = real_clock.app  # the fixture: the service with the bureau's forms and no pinned clock

MATTER = {
    "after_closure_kind": "credit_objection",
    "after_closure_received_on": real_clock.today().isoformat(),
    "after_closure_facts": "当事人对失信信息提出异议",
}


def closed_case_today(app: Flask, login: Any) -> tuple[real_clock.RealClockWalk, int]:
    """A load-bearing case filed, ordered and closed today (移送公安, the shortest way to close)."""
    walk, case_id = routine.ordered_today(app, login)
    assert routine.message(login("officer1"), case_id, "suspected_crime").status_code == 200
    for step in ("request_police_transfer", "approve_police_transfer", "transfer_to_police"):
        routine.do(walk, case_id, step)
    assert walk.instance(case_id)["status"] == "completed"
    return walk, case_id


def running_case(login: Any) -> int:
    """A load-bearing case just started (its lead open)."""
    lead = real_clock.moved_to_today(to_json_value(case.lead(case.at(real_clock.today()))))
    started = login("officer1").post(
        "/process-instances", json={"process_key": "load_bearing_case", "data": lead}
    )
    assert started.status_code == 201, started.json
    return int(started.json["id"])


def start(api: Any, data: dict[str, Any]) -> Any:
    return api.post("/process-instances", json={"process_key": "case_after_closure", "data": data})


def test_after_closure_reads_the_closed_case_and_refuses_what_it_cannot_follow_up(
    app: Flask, login: Any
) -> None:
    walk, case_id = closed_case_today(app, login)
    closed = walk.instance(case_id)["data"]
    officer = login("officer1")

    by_id = start(officer, {**MATTER, "source_instance_id": case_id})
    assert by_id.status_code == 201, by_id.json
    data = walk.instance(by_id.json["id"])["data"]
    assert (data["case_no"], data["source_instance_id"]) == (closed["case_no"], case_id)
    assert (data["party_name"], data["party_address"]) == (closed["party_name"], closed["party_address"])
    assert (data["credit_record_exists"], data["annotation_in_place"]) == (False, False)
    assert walk.instance(case_id)["status"] == "completed"  # the closed case is not reopened

    by_number = start(officer, {**MATTER, "case_no": closed["case_no"], "party_name": "别人"})
    assert by_number.status_code == 201, by_number.json
    data = walk.instance(by_number.json["id"])["data"]
    assert (data["source_instance_id"], data["party_name"]) == (case_id, closed["party_name"])

    wrong_number = start(
        officer, {**MATTER, "source_instance_id": case_id, "case_no": "沪嘉城管立〔2019〕9号"}
    )
    assert wrong_number.status_code == 422
    assert "case_no" in wrong_number.json["details"]["data"]

    # A case that predates Zhifa is typed in (the party is then required).
    typed = {**MATTER, "case_no": "沪嘉城管立〔2019〕0007号"}
    assert start(officer, typed).status_code == 422
    old = start(officer, {**typed, "party_name": "钱某"})
    assert old.status_code == 201, old.json
    assert walk.instance(old.json["id"])["data"]["source_instance_id"] is None

    # Not closed, not there, not readable by the starter.
    running_id = running_case(login)
    running = start(officer, {**MATTER, "source_instance_id": running_id})
    assert running.status_code == 422
    assert "尚未办结" in running.json["message"]
    assert start(officer, {**MATTER, "source_instance_id": 999_999}).status_code == 404
    assert start(login("officer2"), {**MATTER, "source_instance_id": case_id}).status_code == 404


def test_the_closed_case_page_offers_matters_after_closure_prefilled(app: Flask, login: Any) -> None:
    walk, case_id = closed_case_today(app, login)
    closed = walk.instance(case_id)["data"]
    client = app.test_client()
    assert sign_in(client, "officer1").status_code == 302
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'data-testid="after-closure-link"' in page
    assert f"/start/case_after_closure?source_instance_id={case_id}" in page
    form = client.get(f"/start/case_after_closure?source_instance_id={case_id}")
    assert form.status_code == 200
    text = form.get_data(as_text=True)
    assert closed["case_no"] in text
    assert closed["party_name"] in text
    assert re.search(rf'name="source_instance_id"[^>]*value="{case_id}"', text), text
    posted = client.post(
        "/start/case_after_closure",
        data={
            "csrf_token": _token(client, f"/start/case_after_closure?source_instance_id={case_id}"),
            "source_instance_id": str(case_id),
            "case_no": closed["case_no"],
            "party_name": closed["party_name"],
            "after_closure_kind": "restored",
            "after_closure_received_on": real_clock.today().isoformat(),
            "after_closure_facts": "当事人结案后恢复承重结构",
        },
    )
    assert posted.status_code == 302, posted.get_data(as_text=True)
    after_id = int(re.search(r"/cases/(\d+)", posted.location).group(1))
    data = walk.instance(after_id)["data"]
    assert (data["source_instance_id"], data["party_address"]) == (case_id, closed["party_address"])

    # A running case offers nothing, and its id opens no prefilled form.
    running_id = running_case(login)
    assert 'data-testid="after-closure-link"' not in client.get(f"/cases/{running_id}").get_data(as_text=True)
    assert client.get(f"/start/case_after_closure?source_instance_id={running_id}").status_code == 422
    # Auditors read the case but start nothing.
    auditor = app.test_client()
    assert sign_in(auditor, "auditor").status_code == 302
    assert 'data-testid="after-closure-link"' not in auditor.get(f"/cases/{case_id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("final", "expected"),
    [
        ({"credit_record_status": "recorded", "annotation_status": "annotated"}, (True, True)),
        ({"credit_record_status": "repaired", "annotation_status": "lifted"}, (False, False)),
    ],
)
def test_what_is_still_in_place_comes_from_the_final_status(
    app: Flask, monkeypatch: pytest.MonkeyPatch, final: dict[str, str], expected: tuple[bool, bool]
) -> None:
    data = {"case_no": "沪嘉城管立〔2026〕0003号", "party_name": "孙某", "annotation_reg_no": "注2026-8"}
    engine = SimpleNamespace(data=lambda: data | final)
    monkeypatch.setattr(closed_case, "load_live", lambda _session, _id: SimpleNamespace(engine=engine))
    with app.app_context():
        values = closed_case.closed_case_values(get_session(), ProcessInstance(id=5))
    assert (values["credit_record_exists"], values["annotation_in_place"]) == expected
    assert (values["source_instance_id"], values["annotation_reg_no"]) == (5, "注2026-8")
