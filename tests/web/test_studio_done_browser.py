"""Issue 11 "done when", in Chromium: a process owner edits the complaint process in the modeler (a
DMN time limit and a task name), introduces an unknown variable in a condition, sees the marker on
that flow, fixes it and deploys; only the complaint process gets a new version; a new complaint
started on the start page runs it, while an older one is finished through the hotline's and
officer's task pages on the old version (the case pages name each version); then the
owner rolls back through the page and the CLI, and a restarted service and the demo command run."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from service import create_app
from service.cli import main
from tests.conftest import Api
from tests.web.browser import LiveServer
from tests.web.conftest import api_logins
from tests.web.ui_walk import BrowserWalk

pytestmark = [pytest.mark.browser]
FLOW = "flow_remit_accept"
# The old complaint: accepted, dissuaded, the reporter satisfied (hotline and officer pages).
OLD_CASE_ANSWERS = {
    "review_remit": {"remit_decision": "accept"},
    "decide_handling": {"handling_method": "dissuade", "needs_extension": False},
    "visit_reporter": {"satisfaction": "satisfied"},
}
RESTART_CONFIG = ("TESTING", "SECRET_KEY", "DATABASE_URL", "ATTACHMENT_DIR", "DEMO_MODE")


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[Callable[[str], Api]]:
    """API clients on the live server's app; afterwards the bureau's own complaint version is current."""
    yield api_logins(live_server.app)
    live_server.app.test_cli_runner().invoke(main, ["bpmn", "activate", "complaint_handling", "1"])


def _versions(owner: Api) -> dict[str, int]:
    return {d["key"]: d["version"] for d in owner.get("/process-definitions").json["items"]}


def _set_field(page: Any, field: str, value: str) -> None:
    box = page.locator(f"#zf-panel [data-field='{field}']")
    box.fill(value)
    box.evaluate("el => el.dispatchEvent(new Event('change'))")  # what leaving the field does


class _OneCaseWalk(BrowserWalk):
    """A walk through the pages that only works on one case (the live server holds others)."""

    def __init__(self, *args: Any, case_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case_id = case_id

    def _running(self) -> list[dict[str, Any]]:
        return [i for i in super()._running() if i["id"] == self.case_id]


def _shown_version(page: Any, case_id: int) -> str:
    page.goto(f"/cases/{case_id}")
    return str(page.locator("dt:text-is('流程版本') + dd").inner_text())


def _select(page: Any, element_id: str) -> None:
    page.evaluate(
        """id => { const m = window.zfStudio.current().modeler;
                   m.get('selection').select(m.get('elementRegistry').get(id)); }""",
        element_id,
    )


def test_edit_check_fix_deploy_and_roll_back_the_complaint_process(
    open_page: Callable[..., Any], api: Callable[[str], Api], live_server: LiveServer
) -> None:
    owner, liaison = api("process_owner"), api("hotline_liaison")
    before = _versions(owner)
    old_case = liaison.post("/process-instances", json={"process_key": "complaint_handling"}).json
    page = open_page("process_owner")
    page.goto("/studio/complaint_handling/edit")
    page.wait_for_selector("#zf-canvas .djs-container svg")

    # Dispatched, not clicked: at fit-viewport zoom the palette may cover the diagram's first column.
    page.locator("#zf-canvas [data-element-id='register_work_order']").dispatch_event("click")
    _set_field(page, "name", "登记工单（新）")
    _select(page, FLOW)
    condition = page.locator("#zf-panel [data-field='condition']").input_value()
    _set_field(page, "condition", condition.replace("remit_decision", "remit_decison"))
    page.get_by_test_id("validate").click()
    page.wait_for_selector(f".zf-problem-badge[data-element='{FLOW}']")
    assert page.locator(f"#zf-canvas .djs-element.zf-invalid[data-element-id='{FLOW}']").count() == 1
    assert "remit_decison" in page.get_by_test_id("problems").inner_text()
    page.get_by_test_id("deploy").click()
    page.wait_for_selector("#zf-status.alert-danger")  # nothing invalid deploys
    assert _versions(owner) == before

    _select(page, FLOW)
    _set_field(page, "condition", condition)
    page.get_by_test_id("validate").click()
    page.wait_for_selector("#zf-status.alert-success")
    assert page.locator(".zf-problem-badge").count() == 0

    page.locator("#zf-files button[data-file='complaint_time_limits.dmn']").click()
    cell = page.locator("td[data-element-id='rule_critical_first_contact_hours']")
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    page.locator("td[data-element-id='rule_critical_reply_workdays']").click()
    page.get_by_test_id("deploy").click()
    page.wait_for_selector("#zf-status.alert-success")
    assert re.search(
        r"已部署：.*complaint_handling|已部署：.*诉求", page.get_by_test_id("status").inner_text()
    )

    after = _versions(owner)
    assert after == {**before, "complaint_handling": before["complaint_handling"] + 1}
    old_version, new_version = before["complaint_handling"], after["complaint_handling"]
    diff = owner.get(f"/process-definitions/complaint_handling/diff?from={old_version}&to={new_version}").json
    changed = {e["element_id"]: e["change"] for e in diff["elements"]}
    assert changed == {"register_work_order": "changed", "rule_critical": "changed"}, diff  # FLOW restored
    rule = next(e for e in diff["elements"] if e["element_id"] == "rule_critical")
    assert [(p["old"], p["new"]) for p in rule["properties"]] == [("2", "3")]  # the DMN time limit (hours)

    hotline = open_page("hotline_liaison")
    hotline.goto("/start")
    hotline.locator('[href="/start/complaint_handling"]').click()
    hotline.get_by_role("button", name="发起").click()
    hotline.wait_for_url(re.compile(r"/cases/\d+/next$"))
    new_id = int(hotline.url.rsplit("/", 2)[-2])
    assert hotline.get_by_role("link", name="登记工单（新）").count() >= 1  # the new name, next steps
    auditor = open_page("auditor")
    assert _shown_version(auditor, new_id) == f"第 {new_version} 版"

    walk = _OneCaseWalk(live_server.app, api, open_page, OLD_CASE_ANSWERS, case_id=old_case["id"])
    names: list[str] = []
    walk.checks["register_work_order"] = lambda task_page, _task: names.append(
        task_page.locator("h1").inner_text()
    )
    walk.run(advance_time=False)
    assert names == ["登记工单"]  # the old case keeps the old task name
    roles = {role for _process, _task, role in walk.steps}
    assert {"hotline_liaison", "officer1"} <= roles, walk.steps
    assert walk.instance(old_case["id"])["status"] == "completed", walk.steps
    assert walk.instance(old_case["id"])["definition"]["version"] == old_version
    assert _shown_version(auditor, old_case["id"]) == f"第 {old_version} 版"
    assert _shown_version(auditor, new_id) == f"第 {new_version} 版"

    page.goto("/studio/complaint_handling")
    page.locator("tr[data-version='1'] button[type='submit']").click()
    page.wait_for_selector("tr[data-version='1'] [data-testid='current']")
    assert _versions(owner)["complaint_handling"] == 1
    runner = live_server.app.test_cli_runner()
    forward = runner.invoke(main, ["bpmn", "activate", "complaint_handling", str(new_version)])
    assert forward.exit_code == 0, forward.output
    rolled = runner.invoke(
        main, ["bpmn", "deploy", "bpmn/complaint_handling.bpmn", "bpmn/complaint_time_limits.dmn"]
    )
    assert rolled.exit_code == 0, rolled.output
    assert "complaint_handling v1 (current again)" in rolled.output
    assert "Traceback" not in rolled.output

    restarted = create_app({key: live_server.app.config[key] for key in RESTART_CONFIG})
    demo = restarted.test_cli_runner().invoke(main, ["demo"])
    assert demo.exit_code == 0, demo.output
    client = restarted.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "auditor", "password": "auditor"})
    assert token.status_code == 201
    listed = Api(client, token.json["token"]).get("/process-definitions").json["items"]
    assert {d["key"]: d["version"] for d in listed}["complaint_handling"] == 1  # the roll-back holds
    restarted.extensions["zhifa.engine"].dispose()
