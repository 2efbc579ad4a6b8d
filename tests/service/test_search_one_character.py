"""A one-character search (张, 路, a digit) finds exactly the cases a naive substring test finds, for a
see-all role and for an officer, on SQLite and PostgreSQL; its count stops at COUNT_CAP and the
pages past it still come in order."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from service.db import session_scope
from service.models import ProcessInstance
from service.operations import caselist
from tests.conftest import DATA, deploy_dir
from tests.web.conftest import signed_in_client

PARTIES = ("张伟", "王芳", "李娜", "张敏强", "赵静 100%", "钱_强 7")
REGISTER = {"address": "叶城路 1 号 302 室", "received_on": "2026-09-29", "description": "拆除承重墙"}


@pytest.fixture
def cases(login: Any) -> list[int]:
    assert deploy_dir(login("process_owner"), DATA / "acceptance").status_code == 201
    officer, ids = login("officer2"), []
    for party in PARTIES:
        response = officer.post("/process-instances", json={"process_key": "case_flow", "data": {}})
        assert response.status_code == 201, response.json
        ids.append(int(response.json["id"]))
        task = next(
            t
            for t in officer.get("/tasks?per_page=100").json["items"]
            if t["bpmn_id"] == "register_case" and t["instance_id"] == ids[-1]
        )
        data = {**REGISTER, "party_name": party}
        assert officer.post(f"/tasks/{task['id']}/complete", json={"data": data}).status_code == 200
    # a case officer2 did not start: every officer sees it through its open officer task
    login("officer1").post("/process-instances", json={"process_key": "case_flow", "data": {}})
    return ids


def _naive(app: Flask, char: str) -> list[int]:
    """The cases whose text or title holds `char`, newest first, by testing every case in Python."""
    with app.app_context(), session_scope(app) as session:
        rows = session.execute(select(ProcessInstance.id, ProcessInstance.search_text, ProcessInstance.title))
        return sorted((i for i, text, title in rows if char in text or char in title), reverse=True)


def _found(api: Any, char: str, per_page: int = 100) -> tuple[list[int], dict[str, Any]]:
    body = api.get("/process-instances", query_string={"text": char, "per_page": per_page}).json
    return [c["id"] for c in body["items"]], body


def test_a_one_character_search_finds_what_a_substring_test_finds(
    app: Flask, login: Any, cases: list[int]
) -> None:
    with app.app_context(), session_scope(app) as session:
        texts = session.execute(select(ProcessInstance.search_text, ProcessInstance.title)).all()
    chars = {c for row in texts for value in row for c in value if not c.isspace()} | set("0123456789%_x伟")
    assert len(chars) > 20
    for who in ("auditor", "officer2"):
        api = login(who)
        seen = {c["id"] for c in api.get("/process-instances?per_page=100").json["items"]}
        assert set(cases) < seen  # and officer1's case, open to every officer
        for char in sorted(chars):
            found, body = _found(api, char)
            expected = [i for i in _naive(app, char) if i in seen]
            assert found == expected, (who, char)
            assert (body["total"], body["total_capped"]) == (len(expected), False), (who, char)
    assert _found(login("officer2"), "张")[0] == [cases[3], cases[0]]
    assert _found(login("officer2"), "%")[0] == [cases[4]]  # a wildcard is taken literally
    assert _found(login("clerk"), "张")[0] == []  # never saw these cases


def test_the_count_of_a_search_stops_at_the_cap_and_later_pages_still_come(
    app: Flask, login: Any, cases: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(caselist, "COUNT_CAP", 3)
    auditor = login("auditor")
    newest_first = sorted(cases, reverse=True)
    pages = []
    for page in (1, 2, 3, 4):
        body = auditor.get(
            "/process-instances", query_string={"text": "叶", "per_page": 2, "page": page}
        ).json
        assert (body["total"], body["total_capped"]) == (3, True), page
        pages.append([c["id"] for c in body["items"]])
    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:6], []]
    page = signed_in_client(app, "auditor").get("/cases?q=叶&size=2&page=2").get_data(as_text=True)
    assert "超过 3 条，第 2 页" in page or "More than 3, page 2" in page
    assert "page=3" in page  # the pager offers the page after the counted ones
    one = auditor.get("/process-instances", query_string={"text": "娜"}).json
    assert (one["total"], one["total_capped"], [c["id"] for c in one["items"]]) == (1, False, [cases[2]])
