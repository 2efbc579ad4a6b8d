"""A case with a failing step, in the browser: the officer's completion stands and says so, the squad
leader finds the incident in the inbox, reads it on the case page, retries it in vain, and after the fix
(the missing calendar year entered) retries it again: the incident is gone and the case moves on."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from service.runtime import InstanceCache
from tests.conftest import DATA, Api, deploy_dir
from tests.web.browser import LiveServer
from tests.web.ui_walk import submit
from workflows import WorkCalendar, WorkflowEngine

pytestmark = [pytest.mark.browser]


@pytest.fixture
def login(live_server: LiveServer) -> Callable[[str], Api]:
    """API clients of the demo users on the live server's app."""
    client = live_server.app.test_client()

    def _login(username: str) -> Api:
        response = client.post("/api/v1/auth/token", json={"username": username, "password": username})
        assert response.status_code == 201, response.json
        return Api(client, response.json["token"])

    return _login


@pytest.fixture
def fix_the_calendar(live_server: LiveServer) -> Iterator[Callable[[], None]]:
    """Return what entering the 2040 calendar and restarting does; undone after the test."""
    runtime = live_server.app.extensions["zhifa.runtime"]
    engine = runtime.engine

    def _fix() -> None:
        runtime.engine = WorkflowEngine(WorkCalendar(extra_years=[2040]))
        runtime.instances = InstanceCache()

    yield _fix
    runtime.engine, runtime.instances = engine, InstanceCache()


def test_a_leader_sees_the_incident_and_clears_it_by_retrying_after_the_fix(
    login: Callable[[str], Api], open_page: Any, fix_the_calendar: Callable[[], None], tmp_path: Path
) -> None:
    # Only the failing diagram, with its two forms (the live server holds the bureau's forms).
    (tmp_path / "forms").mkdir()
    shutil.copy(DATA / "incidents" / "flaky_step.bpmn", tmp_path)
    for form in ("escalate_overdue", "approve_filing"):
        shutil.copy(DATA / "acceptance" / "forms" / f"{form}.yaml", tmp_path / "forms")
    assert deploy_dir(login("process_owner"), tmp_path).status_code == 201
    started = login("officer1").post(
        "/process-instances", json={"process_key": "flaky_step", "data": {"start_on": "2040-03-01"}}
    )
    assert started.status_code == 201, started.json
    case_id, (task,) = started.json["id"], started.json["tasks"]

    officer = open_page("officer1")
    officer.goto(f"/tasks/{task['id']}")
    officer.locator('[name="escalation_note"]').fill("已登记")
    submit(officer)  # the completion stands
    assert officer.get_by_test_id("incident-notice").is_visible()

    leader = open_page("squad_leader")
    leader.goto("/inbox")
    leader.locator("[data-filter=incidents]").click()
    row = leader.locator("[data-testid=incident]").filter(has_text="计算办理期限")
    assert "2040" in row.inner_text()
    row.get_by_role("link").first.click()
    leader.wait_for_url(f"**/cases/{case_id}**")
    shown = leader.get_by_test_id("incidents")
    assert shown.get_by_test_id("incident-element").inner_text().startswith("计算办理期限")
    assert "2040" in shown.get_by_test_id("incident-error").inner_text()
    assert shown.get_by_test_id("incident-attempts").inner_text() == "1"

    shown.get_by_role("button", name="重试").click()
    leader.wait_for_load_state()
    assert "步骤再次失败（第 2 次）" in leader.locator(".alert-warning").inner_text()
    assert leader.get_by_test_id("incident-attempts").inner_text() == "2"

    fix_the_calendar()
    leader.get_by_test_id("incidents").get_by_role("button", name="重试").click()
    leader.wait_for_load_state()
    assert leader.locator(".alert-success").inner_text() == "步骤重新执行成功，故障已解决。"
    assert leader.get_by_test_id("incidents").count() == 0
    assert leader.get_by_test_id("open-tasks").inner_text().startswith("办理")
    assert "故障已解决" in leader.get_by_test_id("history").inner_text()
    leader.goto("/inbox?incidents=1")
    assert leader.locator(f"[data-testid=incident] a[href^='/cases/{case_id}']").count() == 0
