"""Fixtures of the page tests: a Flask test client per test, and the shared live server and browser."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Api
from tests.web.browser import ConsoleLog, LiveServer, iter_browser, start_server, watch
from tests.web.test_signin import sign_in as post_sign_in


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The one live server of this test session (demo data on SQLite)."""
    server = start_server(tmp_path_factory.mktemp("live"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """The one headless Chromium of this test session."""
    yield from iter_browser()


@pytest.fixture
def console() -> ConsoleLog:
    """Console output of the pages a test opens; the test fails on any CSP violation."""
    return ConsoleLog()


@pytest.fixture
def open_page(browser: Any, live_server: LiveServer, console: ConsoleLog) -> Iterator[Callable[..., Any]]:
    """Return a function opening a fresh browser context (optionally signed in as a demo user)."""
    contexts: list[Any] = []

    def _open(username: str | None = None, *, width: int = 1280, height: int = 900) -> Any:
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": height}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        watch(page, console)
        if username:
            sign_in(page, username)
        return page

    yield _open
    for context in contexts:
        context.close()
    assert not console.csp_violations(), console.csp_violations()


def sign_in(page: Any, username: str, password: str | None = None) -> None:
    """Sign in through the sign-in page (demo password = username)."""
    page.goto("/login")
    page.get_by_label(re.compile("用户名|Username")).fill(username)
    page.get_by_label(re.compile("密码|Password")).fill(password or username)
    page.get_by_role("button", name=re.compile("^(登录|Sign in)$")).click()
    page.wait_for_load_state()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """A folder for screenshots a test takes while it runs."""
    return tmp_path


def signed_in_client(app: Flask, username: str) -> FlaskClient:
    """A Flask test client signed in through the sign-in form (demo password = username)."""
    client = app.test_client()
    assert post_sign_in(client, username).status_code == 302
    return client


def api_logins(app: Flask) -> Callable[[str], Api]:
    """Return a function giving API clients of the demo users on `app` (password = username)."""
    client = app.test_client()

    def _login(username: str) -> Api:
        response = client.post("/api/v1/auth/token", json={"username": username, "password": username})
        assert response.status_code == 201, response.json
        return Api(client, response.json["token"])

    return _login


@pytest.fixture
def live_login(live_server: LiveServer) -> Callable[[str], Api]:
    """API clients of the demo users on the live server's app (for reading state and firing timers)."""
    return api_logins(live_server.app)
