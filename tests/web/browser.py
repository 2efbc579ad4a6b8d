"""The browser harness: ONE live server and ONE headless Chromium per test session.

The server is a real WSGI server (werkzeug, threaded) on a random free port, on a SQLite file in a
temporary folder, filled by the same code as `zhifa demo`. Chromium is Debian's /usr/bin/chromium
driven by Playwright (never `playwright install`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from service import create_app
from service.demo import load_demo
from service.migrate import upgrade_database

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class LiveServer:
    """A running app and the base URL it answers on."""

    app: Flask
    url: str
    server: BaseWSGIServer
    thread: threading.Thread

    def stop(self) -> None:
        """Shut the server down and release the database."""
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.app.extensions["zhifa.engine"].dispose()


def start_server(folder: Path, **overrides: Any) -> LiveServer:
    """Migrate a SQLite file, load the demo (bpmn/, users, sample cases) and serve it on a free port."""
    url = f"sqlite:///{folder / 'zhifa.sqlite3'}"
    upgrade_database(url)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-test-secret",
            "DATABASE_URL": url,
            "ATTACHMENT_DIR": str(folder / "attachments"),
            "DEMO_MODE": True,
            "MAX_ATTACHMENT_BYTES": 5 * 1024 * 1024,
            **overrides,
        }
    )
    with app.app_context():
        for _line in load_demo(app):
            pass
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="zhifa-live-server", daemon=True)
    thread.start()
    return LiveServer(app, f"http://127.0.0.1:{server.server_port}", server, thread)


@dataclass
class ConsoleLog:
    """Console messages and page errors of one browser context (CSP violations show up here)."""

    lines: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        """Return the lines that report a Content-Security-Policy violation."""
        return [
            line for line in self.lines if "Content Security Policy" in line or "Content-Security" in line
        ]

    def errors(self) -> list[str]:
        """Return console errors and uncaught page errors."""
        return [line for line in self.lines if line.startswith(("error:", "pageerror:"))]


def watch(page: Any, log: ConsoleLog) -> None:
    """Record a page's console output and uncaught errors into `log`."""
    page.on("console", lambda message: log.lines.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: log.lines.append(f"pageerror: {error}"))


def iter_browser() -> Iterator[Any]:
    """Yield one launched headless Chromium, closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
