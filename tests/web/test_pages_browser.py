"""The pages in a real browser: sign-in messages, English, the inbox, the case page (no CSP violation)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_wrong_password_shows_the_chinese_message(open_page: Any) -> None:
    page = open_page()
    page.goto("/")
    assert page.url.endswith("/login")
    page.get_by_label("用户名").fill("officer1")
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").inner_text().strip() == "用户名或密码错误，请重新输入。"
    # Focus moves to the message, so screen readers announce it (once the page's script has run).
    expect(page.locator("#login-error")).to_be_focused()


def test_english_works_after_one_switch(open_page: Any) -> None:
    page = open_page()
    page.goto("/login")
    page.get_by_role("button", name="English").click()
    assert page.get_by_role("heading", name="Sign in").is_visible()
    page.get_by_label("Username").fill("officer1")
    page.get_by_label("Password").fill("officer1")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", name="Inbox").is_visible()
    assert page.get_by_role("link", name="Cases").is_visible()
    page.get_by_role("button", name="中文").click()
    assert page.get_by_role("heading", name="待办").is_visible()


def test_inbox_shows_case_fields_and_counts(open_page: Any, shots: Path) -> None:
    page = open_page("officer1")
    assert page.get_by_role("heading", name="待办").is_visible()
    rows = page.locator("tr[data-task]")
    assert rows.count() >= 1
    assert page.locator("[data-filter=all] .zf-filter-count").inner_text() == str(rows.count())
    page.screenshot(path=str(shots / "inbox.png"), full_page=True)


def test_nav_shows_only_what_the_role_allows(open_page: Any) -> None:
    page = open_page("auditor")
    nav = page.get_by_role("navigation", name="主导航")
    assert nav.get_by_role("link", name="案件", exact=True).is_visible()
    assert nav.get_by_role("link", name="待办", exact=True).count() == 0
    assert nav.get_by_role("link", name="发起", exact=True).count() == 0


def test_case_page_draws_the_diagram_with_node_ids(open_page: Any) -> None:
    page = open_page("auditor")
    page.goto("/cases")
    page.locator("tr[data-case] a").first.click()
    page.wait_for_selector("#diagram svg g.node[data-bpmn-id]")
    assert page.locator("#diagram g.node.zf-completed").count() >= 1
    assert re.search(r"/cases/\d+$", page.url)
