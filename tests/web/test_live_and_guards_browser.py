"""In the browser: the case page's diagram follows another user's work without a reload; drafts
survive a reload; a form post without the CSRF token is refused; an officer cannot open or post a
task of another role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import Api
from tests.web.browser import LiveServer
from tests.web.ui_walk import FormFiller, form_values, submit

pytestmark = pytest.mark.browser


@pytest.fixture
def auditor(live_server: LiveServer) -> Api:
    client = live_server.app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "auditor", "password": "auditor"}).json[
        "token"
    ]
    return Api(client, token)


def _open_tasks(auditor: Api, role: str) -> list[dict[str, Any]]:
    running = auditor.get("/process-instances?status=running&per_page=200").json["items"]
    return [
        task
        for instance in running
        for task in auditor.get(f"/process-instances/{instance['id']}").json["tasks"]
        if task["role"] == role and task["assignee_id"] is None
    ]


def test_the_diagram_redraws_when_someone_else_completes_a_task(
    auditor: Api, open_page: Callable[..., Any]
) -> None:
    task = _open_tasks(auditor, "officer")[-1]
    viewer = open_page("squad_leader")
    viewer.goto(f"/cases/{task['instance_id']}")
    node = viewer.locator(f'#diagram g.node[data-bpmn-id="{task["bpmn_id"]}"]')
    node.wait_for()
    assert "zf-ready" in (node.get_attribute("class") or "")
    version = viewer.locator("#diagram").get_attribute("data-version")
    before = viewer.locator("#diagram svg").inner_html()
    viewer.evaluate("window.zfNoReload = true")

    worker = open_page("officer2")
    worker.goto(f"/tasks/{task['id']}")
    definition, values = form_values(task["form_key"], {}, worker_today())
    FormFiller(worker).fill(definition.fields, values)
    submit(worker)

    # (expect polls without evaluating a string: the pages' CSP forbids eval, and Playwright's
    # wait_for_function races with it)
    expect(viewer.locator("#diagram")).not_to_have_attribute("data-version", version, timeout=3000)
    assert viewer.evaluate("window.zfNoReload") is True  # the same page: redrawn in place
    assert viewer.locator("#diagram svg").inner_html() != before  # redrawn: the completed step recoloured
    # The open tasks and the history follow too (htmx reloads the panels on the change event).
    expect(viewer.locator(f"[data-testid=open-tasks] a[href='/tasks/{task['id']}']")).to_have_count(
        0, timeout=3000
    )
    assert "办理完成" in viewer.get_by_test_id("history").inner_text()
    assert viewer.locator("#diagram-status").inner_text() == "案件有新进展：流程图已更新。"


def worker_today() -> Any:
    from datetime import UTC, datetime

    from workflows import CHINA_TZ

    return datetime.now(UTC).astimezone(CHINA_TZ).date()


def test_a_draft_survives_a_reload(auditor: Api, open_page: Callable[..., Any]) -> None:
    task = _open_tasks(auditor, "officer")[0]
    page = open_page("officer1")
    page.goto(f"/tasks/{task['id']}")
    field = page.locator("#task-form input[type=text], #task-form textarea").first
    field.fill("草稿：现场已拍照，待补充笔录")
    page.wait_for_selector("[data-zf-draft-status][data-state=saved]")
    page.reload()
    assert page.locator("#task-form input[type=text], #task-form textarea").first.input_value() == (
        "草稿：现场已拍照，待补充笔录"
    )
    assert page.locator("[data-zf-draft-status]").inner_text() == "已载入您保存的草稿"


def test_a_form_post_without_the_csrf_token_is_refused(auditor: Api, open_page: Callable[..., Any]) -> None:
    task = _open_tasks(auditor, "officer")[0]
    page = open_page("officer1")
    response = page.request.post(f"/tasks/{task['id']}/claim", form={"next": "/inbox"})
    assert response.status == 400
    assert "表单已过期或并非从本站提交" in response.text()
    still = auditor.get(f"/process-instances/{task['instance_id']}").json["tasks"]
    assert [t["assignee_id"] for t in still if t["id"] == task["id"]] == [None]  # nothing happened


def test_an_officer_cannot_open_or_post_another_roles_task(
    auditor: Api, open_page: Callable[..., Any]
) -> None:
    task = next(t for role in ("legal_reviewer", "squad_leader", "clerk") for t in _open_tasks(auditor, role))
    page = open_page("officer1")
    response = page.goto(f"/tasks/{task['id']}")
    assert response.status == 404
    assert page.get_by_test_id("error-message").inner_text() == "任务不存在"
    token = page.evaluate("JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken']")
    posted = page.request.post(f"/tasks/{task['id']}", form={"csrf_token": token})
    assert posted.status == 404
    assert task["id"] in [
        t["id"] for t in auditor.get(f"/process-instances/{task['instance_id']}").json["tasks"]
    ]
