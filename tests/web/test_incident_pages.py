"""Incidents on the pages (issue 8 item 1): leaders see them in the inbox and on the case page and
retry them there after the fix; officers see neither and may not retry; every retry is in the history."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.runtime import InstanceCache
from tests.conftest import DATA, deploy_dir
from tests.web.conftest import signed_in_client
from workflows import WorkCalendar, WorkflowEngine


def _token(client: FlaskClient, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert match
    return match.group(1)


def _enter_2040_calendar(app: Flask) -> None:
    """What entering the 2040 schedule (past the provisional horizon) and restarting the service does."""
    runtime = app.extensions["zhifa.runtime"]
    runtime.engine = WorkflowEngine(WorkCalendar(extra_years=[2040]))
    runtime.instances = InstanceCache()


@pytest.fixture
def failing_case(app: Flask, login: Any) -> dict[str, Any]:
    """A case whose step after the first task fails: it counts working days in 2040 (no calendar)."""
    assert deploy_dir(login("process_owner"), DATA / "incidents").status_code == 201
    officer = login("officer1")
    started = officer.post(
        "/process-instances", json={"process_key": "flaky_step", "data": {"start_on": "2040-03-01"}}
    )
    assert started.status_code == 201, started.json
    done = officer.post(
        f"/tasks/{started.json['tasks'][0]['id']}/complete", json={"data": {"escalation_note": "已登记"}}
    )
    (incident,) = done.json["incidents"]
    return {"id": started.json["id"], "incident": incident["id"]}


def test_leaders_see_open_incidents_in_the_inbox_and_officers_do_not(
    app: Flask, failing_case: dict[str, Any]
) -> None:
    leader = signed_in_client(app, "squad_leader")
    inbox = leader.get("/inbox").get_data(as_text=True)
    assert re.search(r'data-filter="incidents"[^>]*>故障 <span[^>]*>1</span>', inbox)
    listed = leader.get("/inbox?incidents=1").get_data(as_text=True)
    assert f'data-incident="{failing_case["incident"]}"' in listed
    assert "计算办理期限" in listed  # the failing step, by name
    assert "2040" in listed  # the error says why
    listed_cases = leader.get("/cases?status=running").get_data(as_text=True)
    row = re.search(rf'<tr data-case="{failing_case["id"]}">.*?</tr>', listed_cases, re.DOTALL)
    assert row
    assert 'data-testid="incident-marker"' in row.group(0)
    officer = signed_in_client(app, "officer1").get("/inbox?incidents=1").get_data(as_text=True)
    assert 'data-filter="incidents"' not in officer
    assert "data-incident=" not in officer


def test_a_leader_retries_on_the_case_page_until_the_fix_resolves_it(
    app: Flask, failing_case: dict[str, Any]
) -> None:
    case_page, incident = f"/cases/{failing_case['id']}", failing_case["incident"]
    leader = signed_in_client(app, "squad_leader")
    page = leader.get(case_page).get_data(as_text=True)
    assert 'data-testid="incidents"' in page
    assert "计算办理期限" in page
    assert re.search(r'data-testid="incident-attempts">1<', page)
    retry = f"/incidents/{incident}/retry"
    assert leader.post(retry).status_code == 400  # no CSRF token
    failed = leader.post(retry, data={"csrf_token": _token(leader, case_page)}, follow_redirects=True)
    page = failed.get_data(as_text=True)
    assert "步骤再次失败（第 2 次）" in page
    assert re.search(r'data-testid="incident-attempts">2<', page)

    _enter_2040_calendar(app)
    fixed = leader.post(retry, data={"csrf_token": _token(leader, case_page)}, follow_redirects=True)
    page = fixed.get_data(as_text=True)
    assert "步骤重新执行成功，故障已解决。" in page
    assert 'data-testid="incidents"' not in page
    assert re.search(r'data-testid="open-tasks">\s*<li[^>]*data-bpmn-id="handle"', page)  # moved on
    history = page[page.index('data-testid="history"') :]
    for line in ("故障：步骤执行失败", "故障重试", "故障：步骤再次失败", "故障已解决"):
        assert line in history
    assert "系统（自动）" in history  # who opened and resolved it, by name
    again = leader.post(retry, data={"csrf_token": _token(leader, case_page)})
    assert again.status_code == 409


def test_an_officer_neither_sees_nor_retries_an_incident(app: Flask, failing_case: dict[str, Any]) -> None:
    officer = signed_in_client(app, "officer1")
    case_page = f"/cases/{failing_case['id']}"
    assert 'data-testid="incidents"' not in officer.get(case_page).get_data(as_text=True)
    refused = officer.post(
        f"/incidents/{failing_case['incident']}/retry", data={"csrf_token": _token(officer, case_page)}
    )
    assert refused.status_code == 403
    leader_view = signed_in_client(app, "squad_leader").get(case_page).get_data(as_text=True)
    assert re.search(r'data-testid="incident-attempts">1<', leader_view)  # nothing was retried


def test_a_task_row_of_a_case_with_an_incident_is_marked_for_leaders(app: Flask, login: Any) -> None:
    assert deploy_dir(login("process_owner"), DATA / "web_incidents").status_code == 201
    officer = login("officer1")
    started = officer.post(
        "/process-instances", json={"process_key": "flaky_branch", "data": {"start_on": "2040-03-01"}}
    )
    done = officer.post(
        f"/tasks/{started.json['tasks'][0]['id']}/complete", json={"data": {"escalation_note": "已登记"}}
    )
    (task,) = done.json["tasks"]  # the other branch goes on while the failed one waits
    assert (task["bpmn_id"], len(done.json["incidents"])) == ("check_site", 1)
    row = re.compile(rf'<tr id="task-{task["id"]}".*?</tr>', re.DOTALL)
    leader_row = row.search(signed_in_client(app, "squad_leader").get("/inbox?team=1").get_data(as_text=True))
    assert leader_row
    assert 'data-testid="incident-marker"' in leader_row.group(0)
    officer_row = row.search(signed_in_client(app, "officer1").get("/inbox").get_data(as_text=True))
    assert officer_row
    assert 'data-testid="incident-marker"' not in officer_row.group(0)
