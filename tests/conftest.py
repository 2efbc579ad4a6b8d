"""Shared fixtures: an app per test on SQLite and on PostgreSQL, API clients per demo user."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from service import create_app
from service.db import Base, session_scope
from service.migrate import upgrade_database
from service.operations.audit import SYSTEM_ACTOR
from service.operations.users import create_user

DATA = Path(__file__).parent / "data"
ADMIN_PG_URL = os.environ.get("ZHIFA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TEST_PG_DB = f"zhifa_test_{os.getpid()}"  # concurrent test runs must not drop each other's database
ROLE_USERS = {
    "officer1": ["officer"],
    "officer2": ["officer"],
    "squad_legal": ["squad_legal"],
    "squad_leader": ["squad_leader"],
    "legal_reviewer": ["legal_reviewer"],
    "deputy_head": ["deputy_head"],
    "bureau_head": ["bureau_head"],
    "clerk": ["clerk"],
    "hotline_liaison": ["hotline_liaison"],
    "process_owner": ["process_owner"],
    "auditor": ["auditor"],
    "admin": ["admin"],
}


def _postgres_url() -> str | None:
    """Create a fresh test database on the local PostgreSQL; None when there is no server."""
    try:
        admin = create_engine(ADMIN_PG_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {TEST_PG_DB} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {TEST_PG_DB}"))
        admin.dispose()
    except Exception:  # noqa: BLE001  (any failure means: no PostgreSQL here)
        return None
    return ADMIN_PG_URL.rsplit("/", 1)[0] + f"/{TEST_PG_DB}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """The migrated PostgreSQL test database (dropped at the end), or None."""
    url = _postgres_url()
    if url is not None:
        upgrade_database(url)
    yield url
    if url is not None:
        admin = create_engine(ADMIN_PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {TEST_PG_DB} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("template") / "zhifa.sqlite3"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, postgres_url: str | None
) -> Iterator[str]:
    """A clean database of each kind for one test."""
    if request.param == "sqlite":
        target = tmp_path / "zhifa.sqlite3"
        shutil.copy(sqlite_template, target)
        yield f"sqlite:///{target}"
        return
    if postgres_url is None:
        pytest.skip("PostgreSQL is not reachable: PostgreSQL part skipped")
    yield postgres_url
    empty_database(postgres_url)


# The id sequences owned by our tables (what TRUNCATE ... RESTART IDENTITY would restart).
_OWNED_SEQUENCES = text(
    "SELECT s.oid::regclass::text FROM pg_class s"
    " JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')"
    " JOIN pg_class t ON t.oid = d.refobjid"
    " WHERE s.relkind = 'S' AND t.relname = ANY(:tables)"
)


def empty_database(url: str) -> None:
    """Delete every row of the PostgreSQL test database and restart its id sequences.

    DELETE, children first, rather than TRUNCATE: the tables hold a few rows after a test, and
    TRUNCATE replaces each table's files (about 0.5 s for all of them against 0.05 s). The lock
    TRUNCATE took is kept: it waits for a transaction a test left running (a background audit
    verification thread), so that work cannot land in the next test's database.
    """
    engine = create_engine(url)
    tables = [t.name for t in Base.metadata.sorted_tables]
    with engine.begin() as conn:
        quoted = ", ".join(f'"{name}"' for name in tables)
        conn.execute(text(f"LOCK TABLE {quoted} IN ACCESS EXCLUSIVE MODE"))
        for name in reversed(tables):
            conn.execute(text(f'DELETE FROM "{name}"'))
        for sequence in conn.execute(_OWNED_SEQUENCES, {"tables": tables}).scalars():
            conn.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))
    engine.dispose()


def make_test_app(database_url: str, tmp_path: Path, **overrides: Any) -> Flask:
    """Build an app on `database_url` with one user per role (password = username)."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "ATTACHMENT_DIR": str(tmp_path / "attachments"),
        "AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
        "MAX_ATTACHMENT_BYTES": 100_000,  # below werkzeug's 500 KB spooling, so no temp files leak
        **overrides,
    }
    app = create_app(config)
    with app.app_context(), session_scope(app) as session:
        for username, roles in ROLE_USERS.items():
            create_user(
                session,
                username,
                username,
                roles,
                display_name=username,
                known_roles=set(app.config["ROLES"]),
                actor=SYSTEM_ACTOR,
                hash_method="pbkdf2:sha256:1000",  # fast hashing: tests log in a lot
            )
        session.commit()
    return app


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on a clean database; service tests bring their own forms (the bureau's are in tests/bpmn)."""
    app = make_test_app(database_url, tmp_path, FORMS_DIR=str(DATA / "acceptance" / "forms"))
    yield app
    app.extensions["zhifa.engine"].dispose()


class Api:
    """A test client that speaks JSON as one logged-in user."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        """GET under /api/v1."""
        return self.client.get(f"/api/v1{path}", headers={**self.headers, **(headers or {})}, **kwargs)

    def post(self, path: str, json: Any = None, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        """POST JSON (or multipart via data=) under /api/v1."""
        return self.client.post(
            f"/api/v1{path}", json=json, headers={**self.headers, **(headers or {})}, **kwargs
        )


@pytest.fixture
def login(app: Flask) -> Any:
    """Return a function giving an Api client logged in as a demo user."""
    client = app.test_client()

    def _login(username: str) -> Api:
        response = client.post("/api/v1/auth/token", json={"username": username, "password": username})
        assert response.status_code == 201, response.json
        return Api(client, response.json["token"])

    return _login


def deploy_dir(api: Api, folder: Path, *extra: Path) -> Any:
    """Deploy every diagram, DMN and form file under `folder` (and extra files) through the API."""
    paths = [
        p
        for p in sorted(folder.rglob("*"))
        if p.suffix in {".bpmn", ".dmn"} or (p.suffix == ".yaml" and p.parent.name == "forms")
    ] + list(extra)
    fields = MultiDict([("files", FileStorage(io.BytesIO(p.read_bytes()), p.name)) for p in paths])
    # Encoded in memory: the test client would spool a large body to a temporary file it never closes.
    boundary, body = encode_multipart(fields)
    return api.post(
        "/process-definitions", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


@pytest.fixture
def runner_for() -> Any:
    """Return a function giving a CLI runner bound to an app."""

    def _runner(app: Flask) -> Any:
        runner = app.test_cli_runner()
        return _BoundRunner(runner)

    return _runner


class _BoundRunner:
    """Invoke the `zhifa` command group against a test app."""

    def __init__(self, runner: Any) -> None:
        self.runner = runner

    def invoke(self, args: list[str]) -> Any:
        """Run `zhifa ARGS` and return click's result."""
        from service.cli import main

        return self.runner.invoke(main, args)
