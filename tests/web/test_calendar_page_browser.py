"""The studio's calendar and version pages in a real browser (no CSP violation, Chinese first)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.browser import LiveServer
from tests.web.conftest import sign_in
from tests.web.test_accessibility_browser import _violations
from workflows.statutory import statutory_days_off

pytestmark = pytest.mark.browser

YEAR = 2031  # a provisional year no other browser test relies on


def _weekday_statutory_days(year: int) -> list[str]:
    return [d.isoformat() for d in sorted(statutory_days_off(year)) if d.weekday() < 5]


def test_process_owner_enters_a_year_after_seeing_its_effect(open_page: Any) -> None:
    page = open_page("process_owner")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="工作日历").click()
    assert page.get_by_role("heading", name="工作日历", exact=True).is_visible()
    assert page.locator('tr[data-source="provisional"]').first.inner_text().startswith("2027")

    page.get_by_label("年份").fill(str(YEAR))
    page.get_by_label("放假日期").fill(f"{YEAR - 1}-12-31")
    page.get_by_role("button", name="查看对期限的影响").click()
    assert f"不属于 {YEAR} 年" in page.get_by_role("alert").inner_text()
    assert page.get_by_role("button", name="保存此安排").count() == 0

    page.get_by_label("放假日期").fill("\n".join(_weekday_statutory_days(YEAR)))
    page.get_by_role("button", name="查看对期限的影响").click()
    assert page.get_by_role("heading", name=f"{YEAR} 年安排的影响（尚未保存）").is_visible()
    assert page.locator(f'tr[data-source="entered"][data-first="{YEAR}"]').count() == 0
    page.get_by_role("button", name="保存此安排").click()
    assert page.get_by_role("heading", name=f"{YEAR} 年安排已保存").is_visible()
    assert page.locator(f'tr[data-source="entered"][data-first="{YEAR}"]').count() == 1


def test_version_page_draws_both_diagrams_with_node_ids(open_page: Any) -> None:
    page = open_page("process_owner")
    page.goto("/studio/processes/complaint_handling/diff")
    assert page.get_by_role("heading", name="版本差异").is_visible()
    assert page.locator("#zf-new-diagram svg g#node-first_contact").count() == 1
    assert page.get_by_role("button", name="试运行").is_visible()


@pytest.fixture
def axe_page(browser: Any, live_server: LiveServer) -> Any:
    """A page that may inject axe (its context bypasses the site's CSP)."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", bypass_csp=True)
    yield context.new_page()
    context.close()


def test_studio_pages_have_no_serious_accessibility_problem(axe_page: Any) -> None:
    page = axe_page
    sign_in(page, "process_owner")
    page.goto("/studio/calendar")
    found = {"calendar": _violations(page)}
    page.get_by_label("年份").fill("2030")
    page.get_by_label("放假日期").fill("2029-01-01")
    page.get_by_role("button", name="查看对期限的影响").click()
    found["calendar with errors"] = _violations(page)
    page.goto("/studio/processes/complaint_handling/diff")
    page.get_by_role("button", name="试运行").click()
    found["diff with dry run"] = _violations(page)
    assert {name: problems for name, problems in found.items() if problems} == {}
