"""Accessibility: axe-core (WCAG 2 A/AA rules) finds no serious problem on the main pages, in both
languages; the pages stay readable on a 768 px tablet (nothing wider than the screen)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.web.browser import LiveServer
from tests.web.conftest import sign_in

pytestmark = pytest.mark.browser
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def _violations(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"
    )
    return list(result)


@pytest.fixture
def axe_page(browser: Any, live_server: LiveServer) -> Any:
    """A page whose context lets the test inject axe (the site's own CSP stays as it is elsewhere)."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_main_pages_have_no_serious_accessibility_problem(axe_page: Any, lang: str) -> None:
    page = axe_page
    page.goto("/login")
    if lang == "en":
        page.get_by_role("button", name="English").click()
    found = {"login": _violations(page)}
    sign_in(page, "officer1")
    found["inbox"] = _violations(page)
    page.locator("[data-testid=task-link]").first.click()
    page.locator("#task-form button[type=submit]").click()
    found["task with errors"] = _violations(page)
    page.goto("/start/load_bearing_case")
    found["start"] = _violations(page)
    page.goto("/cases")
    found["cases"] = _violations(page)
    page.locator("tr[data-case] a").first.click()
    page.wait_for_selector("#diagram svg")
    found["case"] = _violations(page)
    assert {name: problems for name, problems in found.items() if problems} == {}


# The diagram pans inside its own clipped box: what it draws off-screen does not widen the page.
WIDEST = (
    "Math.max(...Array.from(document.querySelectorAll('main *')).filter(e => !e.closest('#diagram'))"
    ".map(e => e.getBoundingClientRect().right))"
)
TABLES_FIT = (
    "Array.from(document.querySelectorAll('.table-responsive'))"
    ".every(t => t.scrollWidth <= t.clientWidth + 1)"
)


def test_pages_fit_a_768px_tablet(open_page: Any) -> None:
    page = open_page("squad_leader", width=768, height=1024)
    for path in ("/inbox?team=1", "/cases", "/start"):
        page.goto(path)
        assert page.evaluate(WIDEST) <= 768, path
        assert page.evaluate(TABLES_FIT), f"{path}: a table needs sideways scrolling"
    page.goto("/cases")
    page.locator("tr[data-case] a").first.click()
    page.wait_for_selector("#diagram svg")
    assert page.evaluate(WIDEST) <= 768
    assert re.search(r"/cases/\d+$", page.url)
