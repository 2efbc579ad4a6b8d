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
from tests.web.conftest import sign_in
from tests.web.test_accessibility_browser import _violations
from tests.web.ui_walk import submit
from workflows import WorkCalendar, WorkflowEngine

pytestmark = [pytest.mark.browser]


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


def _failing_case(login: Callable[[str], Api], folder: Path) -> tuple[int, dict[str, Any]]:
    """Start a flaky_step case (its step after the first task counts working days in 2040)."""
    # Only the failing diagram, with its two forms (the live server holds the bureau's forms).
    (folder / "forms").mkdir(exist_ok=True)
    shutil.copy(DATA / "incidents" / "flaky_step.bpmn", folder)
    for form in ("escalate_overdue", "approve_filing"):
        shutil.copy(DATA / "acceptance" / "forms" / f"{form}.yaml", folder / "forms")
    assert deploy_dir(login("process_owner"), folder).status_code in (200, 201)  # 200: up to date
    started = login("officer1").post(
        "/process-instances", json={"process_key": "flaky_step", "data": {"start_on": "2040-03-01"}}
    )
    assert started.status_code == 201, started.json
    (task,) = started.json["tasks"]
    return started.json["id"], task


def _provisional_publication(login: Callable[[str], Api], live_server: LiveServer) -> dict[str, Any]:
    """Start a publication decided on 28 December of the last published year: due in the next one.

    The start form refuses a decision date after today, so the service's clock stands on that day
    while the publication starts.
    """
    calendar = WorkCalendar()
    decided = calendar.covered_until().replace(day=28)
    data = {
        "case_no": "嘉城管立〔2026〕0099号",
        "decision_no": "嘉城管罚决〔2026〕0099号",
        "decided_on": decided.isoformat(),
        "party_type": "individual",
        "party_name": "张三",
        "party_id_number": "11010519491231002X",
        "party_address": "嘉定区叶城路1号301室",
        "violation_facts": "擅自拆除承重墙",
        "penalty_kind": "fine",
        "legal_basis": "《上海市住宅物业管理规定》第八十三条",
        "fine_amount": "20000.00",
        "performance_method": "十五日内缴纳",
        "deciding_organ": "上海市嘉定区城市管理行政执法局",
    }
    before = live_server.app.config.get("FIXED_NOW")
    live_server.app.config["FIXED_NOW"] = f"{decided.isoformat()}T10:00:00+08:00"
    try:
        started = login("clerk").post(
            "/process-instances", json={"process_key": "enforcement_publicity", "data": data}
        )
    finally:
        live_server.app.config["FIXED_NOW"] = before
    assert started.status_code == 201, started.json
    (task,) = started.json["tasks"]
    assert task["due_provisional"] is True
    body: dict[str, Any] = started.json
    return body


def test_incidents_and_provisional_marks_pass_axe(
    live_login: Callable[[str], Api], browser: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    """axe-core finds no serious problem on the pages with the 故障 and 暂定 marks (English: same markup)."""
    case_id, task = _failing_case(live_login, tmp_path)
    live_login("officer1").post(f"/tasks/{task['id']}/complete", json={"data": {"escalation_note": "已登记"}})
    publication = _provisional_publication(live_login, live_server)
    found: dict[str, list[str]] = {}
    for username, paths in (
        ("squad_leader", ["/inbox?incidents=1", f"/cases/{case_id}", "/cases?status=running"]),
        ("clerk", ["/inbox", f"/tasks/{publication['tasks'][0]['id']}", f"/cases/{publication['id']}"]),
    ):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", bypass_csp=True)
        page = context.new_page()
        sign_in(page, username)
        for path in paths:
            page.goto(path)
            found[f"{username} {path}"] = _violations(page)
        marks = page.get_by_test_id("provisional")
        assert username != "clerk" or marks.count() == 2  # the case page: the task and its timer
        context.close()
    assert {name: problems for name, problems in found.items() if problems} == {}


def test_a_leader_sees_the_incident_and_clears_it_by_retrying_after_the_fix(
    live_login: Callable[[str], Api], open_page: Any, fix_the_calendar: Callable[[], None], tmp_path: Path
) -> None:
    case_id, task = _failing_case(live_login, tmp_path)

    officer = open_page("officer1")
    officer.goto(f"/tasks/{task['id']}")
    officer.locator('[name="escalation_note"]').fill("已登记")
    submit(officer)  # the completion stands
    assert officer.get_by_test_id("incident-notice").is_visible()

    leader = open_page("squad_leader")
    leader.goto("/inbox")
    leader.locator("[data-filter=incidents]").click()
    row = leader.locator("[data-testid=incident]").filter(
        has=leader.locator(f"a[href='/cases/{case_id}#h-incidents']")
    )
    assert "计算办理期限" in row.inner_text()
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
