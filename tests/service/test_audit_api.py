"""The auditors' JSON API: paged events with display names, evidence downloads, case search."""

from __future__ import annotations

import hashlib

from tests.service.audit_case import PARTY, audited_case


def test_events_are_paged_filtered_and_name_their_actors(login) -> None:
    case_id = audited_case(login)
    auditor = login("auditor")
    everything = auditor.get(f"/process-instances/{case_id}/events").json
    first = auditor.get(f"/process-instances/{case_id}/events?per_page=2").json
    second = auditor.get(f"/process-instances/{case_id}/events?per_page=2&page=2").json
    assert first["total"] == len(everything["items"]) > 4
    assert [e["seq"] for e in first["items"] + second["items"]] == [1, 2, 3, 4]
    assert {e["display_name"] for e in everything["items"] if e["actor"] == "officer1"} == {"officer1"}
    done = auditor.get(f"/process-instances/{case_id}/events?kind=task_completed").json
    assert {e["kind"] for e in done["items"]} == {"task_completed"}
    assert done["total"] == 3


def test_events_refuse_bad_paging_naming_the_field(login) -> None:
    case_id = audited_case(login, steps=1)
    response = login("auditor").get(f"/process-instances/{case_id}/events?per_page=0")
    assert response.status_code == 422
    assert "per_page" in response.json["details"]


def test_evidence_downloads_for_those_who_may_see_the_case_only(login) -> None:
    case_id = audited_case(login)
    auditor = login("auditor")
    events = auditor.get(f"/process-instances/{case_id}/events?kind=task_completed").json["items"]
    ref = next(a for e in events for a in (e["attachments"] or []))
    response = auditor.get(f"/attachments/{ref['id']}")
    assert response.status_code == 200
    assert hashlib.sha256(response.data).hexdigest() == ref["sha256"]
    assert response.headers["X-Content-SHA256"] == ref["sha256"]
    response.close()
    assert login("officer2").get(f"/attachments/{ref['id']}").status_code == 404
    assert auditor.get("/attachments/no-such-file").status_code == 404


def test_case_search_api_finds_by_party_and_missed_deadlines(login) -> None:
    case_id = audited_case(login, steps=2)
    auditor = login("auditor")
    found = auditor.get("/audit/cases", query_string={"party": PARTY}).json
    assert [c["id"] for c in found["items"]] == [case_id]
    assert found["items"][0]["missed_deadlines"] == 1
    assert auditor.get("/audit/cases", query_string={"missed": "true"}).json["total"] == 1
    assert auditor.get("/audit/cases", query_string={"party": "无此人"}).json["total"] == 0
    bad = auditor.get("/audit/cases", query_string={"started_from": "yesterday"})
    assert bad.status_code == 422
    assert "started_from" in bad.json["details"]
    assert login("officer1").get("/audit/cases").status_code == 403
    exported = auditor.get("/audit/cases.csv", query_string={"party": PARTY})
    assert exported.mimetype == "text/csv"
    lines = exported.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("id,case_no")
    assert len(lines) == 2
    assert PARTY in lines[1]
