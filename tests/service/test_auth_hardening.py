"""Sign-in is throttled per account and per address, every attempt is recorded, demo passwords are
refused outside demo mode, and only a process's starter roles may start it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from service.db import session_scope
from service.models import LoginAttempt, User
from service.operations.users import authenticate
from tests.conftest import DATA, deploy_dir, make_test_app
from workflows import load_definitions

BPMN = Path(__file__).parents[2] / "bpmn"


def _token(app: Flask, username: str, password: str, address: str = "10.0.0.1") -> Any:
    return app.test_client().post(
        "/api/v1/auth/token",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def _attempts(app: Flask) -> list[tuple[str, str | None, bool, str | None]]:
    with app.app_context(), session_scope(app) as session:
        rows = session.scalars(select(LoginAttempt).order_by(LoginAttempt.id))
        return [(r.username, r.address, r.succeeded, r.reason) for r in rows]


def test_failed_and_successful_sign_ins_are_recorded(app: Flask) -> None:
    assert _token(app, "officer1", "wrong").status_code == 401
    assert _token(app, "nobody", "x").status_code == 401
    assert _token(app, "officer1", "officer1").status_code == 201
    assert _attempts(app) == [
        ("officer1", "10.0.0.1", False, "wrong_password"),
        ("nobody", "10.0.0.1", False, "unknown_user"),
        ("officer1", "10.0.0.1", True, None),
    ]


def test_an_account_is_throttled_after_repeated_failures_even_with_the_right_password(app: Flask) -> None:
    for _ in range(5):
        assert _token(app, "officer1", "guess").status_code == 401
    refused = _token(app, "officer1", "officer1", address="10.9.9.9")
    assert refused.status_code == 429
    assert refused.json["code"] == "too_many_attempts"
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 900
    assert refused.json["details"]["retry_after"] == wait
    # Another account is not affected.
    assert _token(app, "officer2", "officer2").status_code == 201


def test_an_address_is_throttled_across_accounts(database_url: str, tmp_path: Path) -> None:
    app = make_test_app(database_url, tmp_path, LOGIN_MAX_FAILURES_PER_ADDRESS=4)
    for name in ("officer1", "officer2", "clerk", "nobody"):
        assert _token(app, name, "guess", address="10.6.6.6").status_code == 401
    assert _token(app, "squad_leader", "squad_leader", address="10.6.6.6").status_code == 429
    assert _token(app, "squad_leader", "squad_leader", address="10.7.7.7").status_code == 201
    app.extensions["zhifa.engine"].dispose()


def test_a_success_resets_the_account_count(app: Flask) -> None:
    for _ in range(4):
        _token(app, "officer1", "guess")
    assert _token(app, "officer1", "officer1").status_code == 201
    for _ in range(4):
        assert _token(app, "officer1", "guess").status_code == 401
    assert _token(app, "officer1", "officer1").status_code == 201


def test_the_throttle_is_inside_authenticate_for_every_caller(app: Flask) -> None:
    with app.app_context(), session_scope(app) as session:
        for _ in range(5):
            with pytest.raises(Exception, match="wrong username or password"):
                authenticate(session, "clerk", "guess", address="page")
        with pytest.raises(Exception, match="too many failed sign-ins") as refused:
            authenticate(session, "clerk", "clerk", address="page")
        assert refused.value.http_status == 429  # type: ignore[attr-defined]


def test_username_password_is_refused_outside_demo_and_test_mode(app: Flask) -> None:
    app.config["TESTING"] = False  # the test app otherwise allows the demo-style accounts it creates
    response = _token(app, "officer1", "officer1")
    assert response.status_code == 401
    assert "password equals the username" in response.json["message"]
    app.config["DEMO_MODE"] = True
    assert _token(app, "officer1", "officer1").status_code == 201
    app.config["TESTING"] = True


def test_a_start_up_outside_demo_mode_warns_about_username_passwords(
    app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    from service import warn_about_username_passwords

    warn_about_username_passwords(app)
    assert "SECURITY: 12 account(s) have their username as password" in capsys.readouterr().err
    with app.app_context(), session_scope(app) as session:
        for user in session.scalars(select(User)):
            user.password_is_username = False
        session.commit()
    warn_about_username_passwords(app)
    assert "SECURITY" not in capsys.readouterr().err


def _deploy_with_starters(owner: Any, roles: str) -> Any:
    text = (DATA / "acceptance" / "case_flow.bpmn").read_text()
    anchor = '<bpmn:startEvent id="start_case" name="案件来源">'
    text = text.replace(
        anchor,
        anchor + "<bpmn:extensionElements><spiffworkflow:properties>"
        f'<spiffworkflow:property name="starterRoles" value="{roles}" />'
        "</spiffworkflow:properties></bpmn:extensionElements>",
    )
    files = [(io.BytesIO(text.encode()), "case_flow.bpmn")]
    files += [(io.BytesIO(p.read_bytes()), p.name) for p in (DATA / "acceptance").glob("*.dmn")]
    files += [(io.BytesIO(p.read_bytes()), p.name) for p in (DATA / "acceptance").glob("legal_check.bpmn")]
    files += [(io.BytesIO(p.read_bytes()), p.name) for p in (DATA / "acceptance" / "forms").glob("*.yaml")]
    return owner.post("/process-definitions", data={"files": files}, content_type="multipart/form-data")


def test_only_declared_starter_roles_may_start_a_process(login: Any) -> None:
    assert _deploy_with_starters(login("process_owner"), "squad_leader").status_code == 201
    refused = login("officer1").post("/process-instances", json={"process_key": "case_flow", "data": {}})
    assert refused.status_code == 403
    assert refused.json["details"] == {"starter_roles": ["squad_leader"]}
    started = login("squad_leader").post("/process-instances", json={"process_key": "case_flow", "data": {}})
    assert started.status_code == 201


def test_a_starter_role_that_does_not_exist_is_refused_at_deploy(login: Any) -> None:
    response = _deploy_with_starters(login("process_owner"), "officer, chief_wizard")
    assert response.status_code == 422
    assert any("chief_wizard" in p["message"] for p in response.json["details"])


def test_process_owners_see_definitions_but_no_case_data(login: Any) -> None:
    owner = login("process_owner")
    assert deploy_dir(owner, DATA / "acceptance").status_code == 201
    case = login("officer1").post("/process-instances", json={"process_key": "case_flow", "data": {}}).json
    assert owner.get("/process-definitions").status_code == 200
    assert owner.get(f"/process-instances/{case['id']}").status_code == 404
    assert owner.get(f"/process-instances/{case['id']}/events").status_code == 404
    assert owner.get("/process-instances").json["items"] == []
    assert owner.post("/process-instances", json={"process_key": "case_flow", "data": {}}).status_code == 403


def test_the_bureau_diagrams_declare_who_starts_them() -> None:
    files = {p.name: p.read_bytes() for p in BPMN.glob("*.bpmn")} | {
        p.name: p.read_bytes() for p in BPMN.glob("*.dmn")
    }
    starters = {key: d.starter_roles for key, d in load_definitions(files).items()}
    assert starters == {
        "complaint_handling": ("hotline_liaison",),
        "load_bearing_case": ("officer", "squad_leader"),
        "penalty_procedure": ("officer", "squad_leader"),
        "major_decision_review": ("officer", "squad_leader"),
        "enforcement_publicity": ("clerk",),
        "case_after_closure": ("officer", "squad_leader"),
    }


def test_hammering_a_throttled_account_does_not_lengthen_the_wait(app: Flask) -> None:
    for _ in range(5):
        _token(app, "officer1", "guess")
    first = int(_token(app, "officer1", "guess").headers["Retry-After"])
    for _ in range(10):
        assert _token(app, "officer1", "guess").status_code == 429
    assert int(_token(app, "officer1", "guess").headers["Retry-After"]) <= first
    assert sum(1 for a in _attempts(app) if a[3] == "throttled") == 12  # still recorded


def test_a_success_does_not_reset_the_address_count(database_url: str, tmp_path: Path) -> None:
    app = make_test_app(database_url, tmp_path, LOGIN_MAX_FAILURES_PER_ADDRESS=3)
    for name in ("officer2", "clerk"):
        assert _token(app, name, "guess", address="10.5.5.5").status_code == 401
    # The guesser's own valid account does not wipe the address's failures ...
    assert _token(app, "officer1", "officer1", address="10.5.5.5").status_code == 201
    assert _token(app, "nobody", "guess", address="10.5.5.5").status_code == 401
    assert _token(app, "squad_leader", "squad_leader", address="10.5.5.5").status_code == 429
    # ... while an account's own count restarts at its owner's success.
    assert _token(app, "officer1", "officer1", address="10.6.6.6").status_code == 201
    app.extensions["zhifa.engine"].dispose()
