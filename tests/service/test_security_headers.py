"""Every response forbids MIME sniffing; API answers are never cached; no constant signing key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from service import create_app
from service.config import SECRET_FILE


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/openapi.json", 200),
        ("/api/v1/process-definitions", 200),
        ("/api/v1/process-instances/1", 404),
        ("/api/v1/no-such-route", 404),
    ],
)
def test_api_responses_carry_nosniff_and_no_store(login: Any, path: str, status: int) -> None:
    response = login("officer1").client.get(path, headers=login("officer1").headers)
    assert response.status_code == status
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_unauthenticated_and_non_api_responses_carry_nosniff(app: Flask) -> None:
    client = app.test_client()
    refused = client.get("/api/v1/tasks")
    assert refused.status_code == 401
    assert refused.headers["X-Content-Type-Options"] == "nosniff"
    assert refused.headers["Cache-Control"] == "no-store"
    page = client.get("/no-such-page")
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def _demo_app(tmp_path: Path, **extra: Any) -> Flask:
    return create_app(
        {
            "DEMO_MODE": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "VAR_DIR": str(tmp_path / "var"),
            **extra,
        }
    )


def test_demo_mode_without_a_key_generates_one_and_keeps_it(tmp_path: Path) -> None:
    first = _demo_app(tmp_path).config["SECRET_KEY"]
    stored = tmp_path / "var" / SECRET_FILE
    assert stored.read_text().strip() == first
    assert len(first) >= 32
    assert stored.stat().st_mode & 0o077 == 0  # readable by the service account only
    assert _demo_app(tmp_path).config["SECRET_KEY"] == first
    other = tmp_path / "other"
    assert _demo_app(other).config["SECRET_KEY"] != first


def test_test_runs_without_a_key_get_a_random_one(tmp_path: Path) -> None:
    config = {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}"}
    keys = {create_app(config).config["SECRET_KEY"] for _ in range(2)}
    assert len(keys) == 2


def test_a_token_signed_with_the_old_public_constant_is_refused(tmp_path: Path) -> None:
    from itsdangerous import URLSafeTimedSerializer

    from service.operations.users import TOKEN_SALT

    app = _demo_app(tmp_path)
    forged = URLSafeTimedSerializer("zhifa-demo-only-secret", salt=TOKEN_SALT).dumps({"uid": 1, "gen": 0})
    response = app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


@pytest.mark.parametrize("key", [None, "short"])
def test_production_refuses_a_missing_or_short_key(tmp_path: Path, key: str | None) -> None:
    config = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "VAR_DIR": str(tmp_path)}
    if key:
        config["SECRET_KEY"] = key
    with pytest.raises(RuntimeError, match="ZHIFA_SECRET_KEY"):
        create_app(config)
