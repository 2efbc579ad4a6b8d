"""Auditors search across cases (party, number, address, role, kind, missed deadlines) and export."""

from __future__ import annotations

import csv
import io
import json

from flask import Flask

from tests.service.audit_case import ADDRESS, PARTY, audited_case
from tests.service.test_audit_record import _auditor


def test_search_finds_a_case_by_party_address_role_and_kind(app: Flask, login) -> None:
    case_id = audited_case(login, steps=2)
    client = _auditor(app)
    marker = f'data-case="{case_id}"'
    for query in (f"party={PARTY[2:6]}", "address=88 号", "role=squad_leader", "kind=task_completed"):
        assert marker in client.get(f"/audit?{query}").get_data(as_text=True), query
    for query in ("party=没有这个当事人", "role=bureau_head", "kind=instance_cancelled", "address=淮海路"):
        assert marker not in client.get(f"/audit?{query}").get_data(as_text=True), query


def test_missed_deadlines_filter_finds_late_cases_only(app: Flask, login) -> None:
    on_time = audited_case(login, steps=1)  # nothing with a deadline completed yet
    late = audited_case(login, steps=2)  # 立案审批 completed weeks after its due day
    page = _auditor(app).get("/audit?missed=1").get_data(as_text=True)
    assert f'data-case="{late}"' in page
    assert f'data-case="{on_time}"' not in page


def test_search_results_export_as_csv_and_json(app: Flask, login) -> None:
    case_id = audited_case(login, steps=2)
    client = _auditor(app)
    response = client.get(f"/audit/search.csv?party={PARTY}")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 2
    assert PARTY in rows[1]
    assert ADDRESS in rows[1]
    body = json.loads(client.get(f"/audit/search.json?party={PARTY}").get_data(as_text=True))
    assert [item["id"] for item in body["items"]] == [case_id]
    assert body["items"][0]["missed_deadlines"] == 1


def test_search_is_for_auditors(app: Flask, login) -> None:
    assert _auditor(app, "officer1").get("/audit").status_code == 403
    assert _auditor(app, "officer1").get("/audit/search.json").status_code == 403
