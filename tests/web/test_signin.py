"""Sign-in, sign-out, CSRF, session expiry and security headers of the pages (Flask test client)."""

from __future__ import annotations

import re
import time
from typing import Any

from flask import Flask
from flask.testing import FlaskClient


def _token(client: FlaskClient, path: str = "/login") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert match, "page has no CSRF token"
    return match.group(1)


def sign_in(client: FlaskClient, username: str, password: str | None = None) -> Any:
    """Post the sign-in form with a fresh CSRF token."""
    return client.post(
        "/login",
        data={"username": username, "password": password or username, "csrf_token": _token(client)},
    )


def test_root_sends_a_stranger_to_the_sign_in_page(app: Flask) -> None:
    response = app.test_client().get("/")
    assert response.status_code == 302
    assert response.location.endswith("/login")


def test_wrong_password_is_refused_with_a_chinese_message(app: Flask) -> None:
    response = sign_in(app.test_client(), "officer1", "not-the-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_signed_in_officer_lands_on_the_inbox_and_can_sign_out(app: Flask) -> None:
    client = app.test_client()
    response = sign_in(client, "officer1")
    assert response.status_code == 302
    assert response.location.endswith("/inbox")
    token = _token(client, "/inbox")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/inbox").status_code == 302  # signed out: back to sign-in


def test_a_form_post_without_the_csrf_token_is_refused(app: Flask) -> None:
    client = app.test_client()
    response = client.post("/login", data={"username": "officer1", "password": "officer1"})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    assert client.get("/inbox").status_code == 302  # and nobody was signed in


def test_the_api_with_a_bearer_token_needs_no_csrf_token(app: Flask) -> None:
    client = app.test_client()
    response = client.post("/api/v1/auth/token", json={"username": "officer1", "password": "officer1"})
    assert response.status_code == 201


def test_an_idle_session_expires_with_a_message(app: Flask) -> None:
    client = app.test_client()
    sign_in(client, "officer1")
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - app.config["WEB_SESSION_IDLE_SECONDS"] - 1
    response = client.get("/inbox", follow_redirects=True)
    assert "登录已过期" in response.get_data(as_text=True)
    assert response.request.path == "/login"


def test_a_session_dies_when_the_password_generation_changes(app: Flask) -> None:
    from service.db import session_scope
    from service.models import User

    client = app.test_client()
    sign_in(client, "officer1")
    with app.app_context(), session_scope(app) as db:
        user = db.query(User).filter_by(username="officer1").one()
        user.token_generation += 1  # what revoking tokens does
        db.commit()
    assert client.get("/inbox").status_code == 302


def test_pages_carry_a_strict_content_security_policy(app: Flask) -> None:
    response = app.test_client().get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_english_is_one_switch_away(app: Flask) -> None:
    client = app.test_client()
    client.post("/lang", data={"lang": "en", "next": "/login", "csrf_token": _token(client)})
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in" in page
    assert "登录" not in page


def test_sign_in_never_redirects_off_site(app: Flask) -> None:
    client = app.test_client()
    response = client.post(
        "/login",
        data={
            "username": "officer1",
            "password": "officer1",
            "next": "//evil.example/",
            "csrf_token": _token(client),
        },
    )
    assert response.status_code == 302
    assert response.location.endswith("/inbox")
