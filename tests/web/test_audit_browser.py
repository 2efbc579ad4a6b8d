"""An auditor in the browser: finds a case by party, reads its record, downloads evidence and the
案卷 PDF, verifies the chain, and sees an altered stored event named (issue 12, "Done when").

A server of its own (demo data on SQLite): the test alters an event, which no other test should meet.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from service.db import session_scope
from tests.conftest import Api
from tests.service.audit_case import DECISION_TEXT, PARTY, audited_case
from tests.web.browser import ConsoleLog, LiveServer, start_server, watch
from tests.web.conftest import api_logins, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live server for this module only."""
    live = start_server(tmp_path_factory.mktemp("audit-live"))
    yield live
    live.stop()


def api_login(server: LiveServer) -> Callable[[str], Api]:
    """Return API clients of the demo users on `server` (password = username)."""
    return api_logins(server.app)


@pytest.fixture
def auditor_page(browser: Any, server: LiveServer, console: ConsoleLog) -> Iterator[Any]:
    """A signed-in auditor's page on the module's server (downloads allowed)."""
    context = browser.new_context(base_url=server.url, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    watch(page, console)
    sign_in(page, "auditor")
    yield page
    context.close()
    assert not console.csp_violations(), console.csp_violations()


def _run_check(page: Any) -> Any:
    page.get_by_test_id("verify-this-case").click()
    result = page.get_by_test_id("verify-result")
    result.wait_for()
    return result


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_auditor_finds_reads_downloads_and_verifies_a_case(
    auditor_page: Any, server: LiveServer, tmp_path: Path
) -> None:
    case_id = audited_case(api_login(server), steps=7)
    page = auditor_page
    page.goto("/audit")
    page.get_by_label("当事人").fill(PARTY[2:8])
    page.get_by_role("button", name="检索").click()
    page.locator(f'tr[data-case="{case_id}"] a').click()
    page.get_by_test_id("record").wait_for()

    diff = page.get_by_test_id("diff").first
    diff.locator("summary").click()
    assert PARTY in diff.inner_text()
    shown = page.get_by_test_id("record").get_by_test_id("sha256").first.inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", shown)

    link = page.get_by_test_id("record").locator("a[download]").first
    with page.expect_download() as evidence:
        link.click()
    assert hashlib.sha256(Path(evidence.value.path()).read_bytes()).hexdigest() == shown

    with page.expect_download() as pdf:
        page.get_by_test_id("case-file-pdf").click()
    pdf_text = subprocess.run(
        ["pdftotext", str(pdf.value.path()), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    compact = "".join(pdf_text.split())
    number = page.get_by_test_id("case-number").inner_text().split()[-2]
    assert number.replace(" ", "") in compact
    assert PARTY in compact
    assert "".join(DECISION_TEXT.split()) in compact

    page.get_by_test_id("verify-case").click()
    assert "alert-success" in (_run_check(page).get_attribute("class") or "")

    with session_scope(server.app) as session:
        event_id, seq = session.execute(
            text(
                "SELECT id, seq FROM audit_events WHERE instance_id = :case AND kind = 'task_completed' "
                "ORDER BY seq LIMIT 1"
            ),
            {"case": case_id},
        ).one()
        session.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"), {"id": event_id})
        session.commit()
    try:
        page.goto(f"/audit/verify?case={case_id}")
        result = _run_check(page)
        assert result.get_attribute("data-kind") == "tampered"
        assert re.search(rf"第 {seq} 条记录|entry #{seq}\b", page.get_by_test_id("broken-link").inner_text())
        page.get_by_test_id("broken-link").click()
        page.wait_for_url(re.compile(rf"/audit/cases/{case_id}#event-{seq}$"))
    finally:
        with session_scope(server.app) as session:
            session.execute(
                text("UPDATE audit_events SET actor = 'officer1' WHERE id = :id"), {"id": event_id}
            )
            session.commit()


def test_audit_and_public_pages_have_no_serious_accessibility_problem(
    browser: Any, server: LiveServer
) -> None:
    from tests.web.test_accessibility_browser import _violations

    case_id = audited_case(api_login(server), steps=3)
    context = browser.new_context(base_url=server.url, locale="zh-CN", bypass_csp=True)
    try:
        page = context.new_page()
        page.goto("/gongshi")
        assert _violations(page) == [], "/gongshi"
        sign_in(page, "auditor")
        for path in ("/audit", f"/audit/cases/{case_id}", f"/audit/verify?case={case_id}"):
            page.goto(path)
            assert _violations(page) == [], path
    finally:
        context.close()
