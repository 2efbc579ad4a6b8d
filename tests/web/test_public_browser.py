"""The public 行政执法公示 page in the browser, signed out: a published decision masked, searchable, and
gone after the decision is revoked (issue 12, "Done when")."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.service.publicity_case import DECISION, UNMASKED, published_record
from tests.web.browser import ConsoleLog, LiveServer, start_server, watch
from tests.web.test_audit_browser import api_login

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live server for this module only (the test revokes a decision)."""
    live = start_server(tmp_path_factory.mktemp("public-live"))
    yield live
    live.stop()


@pytest.fixture
def visitor(browser: Any, server: LiveServer, console: ConsoleLog) -> Iterator[Any]:
    """A member of the public: nobody signed in."""
    context = browser.new_context(base_url=server.url, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    watch(page, console)
    yield page
    context.close()
    assert not console.csp_violations(), console.csp_violations()


def test_public_sees_the_masked_decision_until_it_is_revoked(visitor: Any, server: LiveServer) -> None:
    login = api_login(server)
    case_id = published_record(login)
    page = visitor
    page.goto("/gongshi")
    page.get_by_label("当事人类型").select_option("individual")
    page.get_by_role("button", name="检索").click()
    notice = page.locator(f'[data-notice="{case_id}"]')
    assert notice.locator('[data-field="party_name"]').inner_text() == "张某某"
    assert DECISION["decision_no"] in notice.inner_text()
    html = page.content()
    body = page.request.get("/gongshi.json").json()
    assert case_id in [item["id"] for item in body["items"]]
    for secret in UNMASKED:
        assert secret not in html, secret
        assert secret not in json.dumps(body, ensure_ascii=False), secret

    change = {"change_kind": "撤销", "changed_on": "2026-12-02", "reason": "行政复议撤销"}
    sent = login("legal_reviewer").post(
        f"/process-instances/{case_id}/messages", json={"name": "decision_changed", "payload": change}
    )
    assert sent.status_code == 200, sent.json
    page.reload()
    page.get_by_role("heading", name="行政执法公示").wait_for()
    assert page.locator(f'[data-notice="{case_id}"]').count() == 0
    assert case_id not in [item["id"] for item in page.request.get("/gongshi.json").json()["items"]]
