"""Whole cases through the pages, as the demo users of each lane (the issue's acceptance walks).

1. A 12345 work order is registered (a validation error met and corrected on the way), turned into a
   load-bearing case (诉转案) with an evidence photo uploaded, found not load-bearing, closed, and the
   complaint is fed back and closed.
2. A load-bearing case from its lead to the archive: rectified in time, fined, paid, closed, archived.

Both run on the real clock: every step is done today (the answers' dates moved to today, as in
tests/service/test_calendar_walk.py), so the case's later deadlines (the decision's payment period
after service by public notice) fall into years whose holiday schedule is not published yet. Those
are shown as provisional (暂定) on the inbox, the task page and the case page.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from forms import FieldType
from service.jsonsafe import to_json_value
from tests.bpmn import steps_case as case
from tests.bpmn import steps_penalty as penalty
from tests.service import test_api_bureau
from tests.service import test_calendar_walk as calendar_walk
from tests.web.browser import LiveServer
from tests.web.ui_walk import PHOTO, BrowserWalk, FormFiller, form_values, submit

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _started_id(page: Any) -> int:
    match = re.search(r"/cases/(\d+)/next$", page.url)
    assert match, page.url
    return int(match.group(1))


def _first_required_text(definition: Any) -> Any:
    return next(f for f in definition.fields if f.required and f.type in (FieldType.STRING, FieldType.TEXT))


def _register_with_a_correction(walk: BrowserWalk, shots: Path) -> None:
    """Do the first open task leaving its first required text empty, read the error, then fix it."""
    (task,) = walk._open_tasks()
    page = walk.page_of("hotline_liaison")
    page.goto(f"/tasks/{task['id']}")
    definition, values = form_values(
        task["form_key"], test_api_bureau.ANSWERS.get(task["bpmn_id"], {}), walk.today()
    )
    left_out = _first_required_text(definition)
    FormFiller(page).fill(definition.fields, {k: v for k, v in values.items() if k != left_out.name})
    page.locator("#task-form button[type=submit]").click()
    message = page.locator(f"#f-{left_out.name}-error")
    assert message.inner_text() == f"{left_out.label.zh}：此项为必填项。"  # next to the field, naming it
    assert page.locator("#error-summary").is_visible()
    expect(page.locator("#error-summary")).to_be_focused()
    other = next(
        f
        for f in definition.fields
        if f.type is FieldType.STRING and f.name != left_out.name and f.name in values
    )
    assert page.locator(f'[name="{other.name}"]').input_value() == str(values[other.name])  # input kept
    page.screenshot(path=str(shots / "task-error.png"), full_page=True)
    FormFiller(page).field(left_out, left_out.name, values[left_out.name])
    submit(page)
    walk.steps.append((task["process_id"], task["bpmn_id"], "hotline_liaison"))


def test_a_12345_work_order_becomes_a_case_that_is_closed_and_fed_back(
    live_server: LiveServer, live_login: Any, open_page: Any, shots: Path
) -> None:
    walk = BrowserWalk(live_server.app, live_login, open_page, test_api_bureau.ANSWERS)
    page = walk.page_of("hotline_liaison")
    page.goto("/start")
    page.get_by_role("link", name="发起").and_(page.locator('[href="/start/complaint_handling"]')).click()
    page.get_by_role("button", name="发起").click()
    complaint_id = walk.first_id = _started_id(page)
    seen: list[str] = []
    walk.checks["approve_lead_closure"] = lambda task_page, _task: seen.append(
        task_page.get_by_test_id("earlier-data").inner_text()
    )
    _register_with_a_correction(walk, shots)
    walk.run(advance_time=False)
    # The approval form lists `shows: [address, lead_closure_reason, lead_closure_summary]`.
    assert seen
    assert "办结原因" in seen[0]
    assert "经检测为非承重墙" in seen[0]

    cases = [
        i
        for i in walk._running()
        + live_login("auditor").get("/process-instances?process=load_bearing_case&per_page=200").json["items"]
        if i["id"] > complaint_id
    ]
    assert cases, "the complaint was not turned into a case"
    case_id = min(i["id"] for i in cases)
    assert walk.instance(case_id)["status"] == "completed"
    assert walk.instance(complaint_id)["status"] == "completed"
    assert walk.instance(case_id)["data"]["source_instance_id"] == complaint_id
    uploads = sum(f.uploads for f in walk.fillers)
    assert uploads >= 1, "no evidence photo was asked for on the way"

    viewer = walk.page_of("auditor")
    viewer.goto(f"/cases/{complaint_id}")
    shown = viewer.locator("[data-testid=evidence] [data-testid=sha256]").all_inner_texts()
    assert hashlib.sha256(PHOTO).hexdigest() in shown  # the photo, with its SHA-256
    assert viewer.locator("[data-testid=evidence] img").first.evaluate("img => img.naturalWidth") == 32
    history = viewer.locator("[data-testid=history]").inner_text()
    assert "热线联络员 孙洁" in history  # display names, not user ids
    assert "hotline_liaison" not in history


def _closed_to_officers(walk: BrowserWalk) -> Callable[[Any, dict[str, Any]], None]:
    """A check: an officer can neither open nor post the legal reviewer's task."""

    def check(_page: Any, task: dict[str, Any]) -> None:
        officer = walk.page_of("officer1")
        assert officer.goto(f"/tasks/{task['id']}").status == 404
        assert officer.get_by_test_id("error-message").inner_text() == "任务不存在"
        token = officer.evaluate("JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken']")
        assert officer.request.post(f"/tasks/{task['id']}", form={"csrf_token": token}).status == 404
        walk.checked.append(task["bpmn_id"])

    return check


def _provisional_shown(walk: BrowserWalk, case_id: int) -> Callable[[Any, dict[str, Any]], None]:
    """A check on the payment task: its provisional deadline carries the 暂定 mark on every page."""

    def check(page: Any, task: dict[str, Any]) -> None:
        walk.checked.append(task["bpmn_id"])
        if not task["due_provisional"]:  # that year's schedule is published in the installed calendar
            assert page.get_by_test_id("provisional").count() == 0
            return
        note = "尚未公布"
        badge = page.get_by_test_id("task-deadline").get_by_test_id("provisional")
        assert badge.inner_text() == "暂定"
        assert note in (badge.get_attribute("title") or "")
        page.goto(f"/inbox?q={walk.instance(case_id)['data']['case_no']}")
        row = page.locator(f"#task-{task['id']}")
        assert row.get_by_test_id("provisional").inner_text() == "暂定"
        page.goto(f"/cases/{case_id}")
        marked = page.get_by_test_id("deadlines").get_by_test_id("provisional")
        assert marked.count() == 2  # the payment task and its timer
        assert note in (marked.first.get_attribute("title") or "")
        page.goto(f"/tasks/{task['id']}")

    return check


def _plan_to_the_archive() -> dict[str, list[dict[str, Any]]]:
    """Path (b) with a waived hearing and service by public notice, every date moved to today."""
    p = calendar_walk.plan_to_the_decision()
    penalty.pay(p, "record_payment", date(2025, 12, 15))
    case.close_case(
        p,
        [date(2025, 12, 16), date(2025, 12, 17), date(2025, 12, 18)],
        "penalty_executed",
        "已恢复原状并缴纳罚款",
    )
    case.archive(p, date(2025, 12, 22))
    return {b: [calendar_walk.moved_to_today(a) for a in items] for b, items in p.answers.items()}


def test_a_load_bearing_case_goes_from_lead_to_archive(
    live_server: LiveServer, live_login: Any, open_page: Any
) -> None:
    walk = BrowserWalk(live_server.app, live_login, open_page, _plan_to_the_archive())
    walk.checks["role:legal_reviewer"] = _closed_to_officers(walk)
    received = case.at(walk.today())

    page = walk.page_of("officer1")
    page.goto("/start/load_bearing_case")
    lead = calendar_walk.moved_to_today(to_json_value(case.lead(received)))
    definition, values = form_values("case_lead", lead, received.date())
    FormFiller(page).fill(definition.fields, {k: v for k, v in values.items() if k != "lead_attachments"})
    page.get_by_role("button", name="发起").click()
    case_id = walk.first_id = _started_id(page)
    walk.checks["record_payment"] = _provisional_shown(walk, case_id)
    walk.run(advance_time=False, until=lambda: walk.instance(case_id)["status"] != "running")

    body = walk.instance(case_id)
    assert body["status"] == "completed", body["tasks"]
    assert [user for _, bpmn_id, user in walk.steps if bpmn_id == "archive_case"] == ["clerk"]
    assert set(walk.checked) - {"record_payment"}, "no legal reviewer's task was met on the way"
    assert "record_payment" in walk.checked
    assert body["data"]["closure_reason"] == "penalty_executed"
    assert body["data"]["execution_status"] == "paid"
    viewer = walk.page_of("auditor")
    viewer.goto(f"/cases/{case_id}")
    year = walk.today().year
    assert viewer.locator("[data-testid=case-number]").inner_text().startswith(f"嘉城管立〔{year}〕")
    assert "立卷归档" in viewer.locator("[data-testid=history]").inner_text()
