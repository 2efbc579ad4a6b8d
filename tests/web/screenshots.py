"""Take the README's screenshots of the pages on the demo data: `python -m tests.web.screenshots docs/`."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.web.browser import iter_browser, start_server
from tests.web.conftest import sign_in


def take(folder: Path) -> list[Path]:
    """Write web-inbox.png, web-task-error.png and web-case.png into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    server = start_server(Path(tempfile.mkdtemp()))
    shots = [folder / "web-inbox.png", folder / "web-task-error.png", folder / "web-case.png"]
    try:
        for browser in iter_browser():
            context = browser.new_context(
                base_url=server.url, locale="zh-CN", viewport={"width": 1280, "height": 800}
            )
            page = context.new_page()
            sign_in(page, "squad_leader")
            page.goto("/inbox?team=1")
            page.screenshot(path=str(shots[0]), full_page=True)
            officer = browser.new_context(
                base_url=server.url, locale="zh-CN", viewport={"width": 1280, "height": 800}
            )
            form = officer.new_page()
            sign_in(form, "officer1")
            form.locator("tr[data-task] [data-testid=task-link]").filter(has_text="现场核查").first.click()
            form.locator("#task-form button[type=submit]").click()
            form.screenshot(path=str(shots[1]), full_page=True)
            officer.close()
            page.goto("/cases?process=load_bearing_case")
            page.locator("tr[data-case] a").nth(1).click()
            page.wait_for_selector("#diagram svg")
            page.wait_for_timeout(300)
            page.screenshot(path=str(shots[2]))
            context.close()
    finally:
        server.stop()
    return shots


if __name__ == "__main__":
    for path in take(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")):
        print(path)
