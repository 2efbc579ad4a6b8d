"""Fresh benchmark databases (SQLite file, PostgreSQL when reachable) and a gunicorn server on them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.http_client import HttpApi

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("ZHIFA_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_DB = "zhifa_bench"


def users_by_role() -> dict[str, str]:
    """The demo user acting for each role (officer1 for officers ...)."""
    from service.demo import DEMO_USERS

    return {roles[0]: name for name, (_, roles) in reversed(list(DEMO_USERS.items()))}


def postgres_url() -> str | None:
    """Recreate the benchmark database on the local PostgreSQL; None when it is not reachable."""
    from sqlalchemy import create_engine, text

    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"))
            connection.execute(text(f"CREATE DATABASE {PG_DB}"))
        admin.dispose()
    except Exception:  # noqa: BLE001  (no server: the benchmark runs on SQLite only)
        return None
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DB}"


def prepare_database(url: str) -> Any:
    """Migrate a fresh database, deploy bpmn/ and create the demo users; return the app."""
    from service import create_app
    from service.db import session_scope
    from service.demo import DEMO_USERS
    from service.migrate import upgrade_database
    from service.operations import deploy
    from service.operations.audit import SYSTEM_ACTOR
    from service.operations.users import create_user

    upgrade_database(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret", "DEMO_MODE": True})
    bpmn = Path(app.config["BPMN_DIR"])
    files = {p.name: p.read_bytes() for p in sorted(bpmn.glob("*")) if p.suffix in {".bpmn", ".dmn"}}
    with app.app_context(), session_scope(app) as session:
        for username, (display_name, roles) in DEMO_USERS.items():
            create_user(
                session,
                username,
                username,
                roles,
                display_name=display_name,
                known_roles=set(app.config["ROLES"]),
                actor=SYSTEM_ACTOR,
                hash_method="pbkdf2:sha256:1000",
            )
        deploy.deploy_files(session, files, SYSTEM_ACTOR)
        session.commit()
    return app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(url: str, workers: int, threads: int = 1) -> Iterator[HttpApi]:
    """Serve the app with gunicorn on a loopback port; yield a client for it."""
    port = _free_port()
    env = {
        **os.environ,
        "ZHIFA_DATABASE_URL": url,
        "ZHIFA_SECRET_KEY": "bench-secret",
        "ZHIFA_DEMO_MODE": "true",
        "ZHIFA_WARM_CACHES": "true",  # as ./dev run serves it
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:service.gunicorn_conf",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "service:create_app()",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603  (our own gunicorn, on loopback)
    try:
        api = HttpApi("127.0.0.1", port)
        api.wait_ready(timeout=60)
        yield api
    finally:
        server.terminate()
        server.wait(timeout=20)
