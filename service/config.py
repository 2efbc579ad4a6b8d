"""Typed configuration defaults, read from ZHIFA_* environment variables, validated at start-up."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class DefaultConfig:
    """Defaults for a local run on the embedded SQLite file; production overrides via env."""

    DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'zhifa.sqlite3'}"
    SECRET_KEY: str | None = None  # demo: generated once into VAR_DIR/secret_key; tests: random per process
    VAR_DIR = str(PROJECT_ROOT / "var")
    AUDIT_KEY: str | None = None  # signs the audit chain; keep it stable (default: derived from SECRET_KEY)
    AUDIT_CHECKPOINT_DIR = str(PROJECT_ROOT / "var" / "checkpoints")  # put it where DB writers cannot write
    AUDIT_CHECKPOINT_EVERY_SECONDS = 3600  # the timer worker exports a checkpoint this often (0: never)
    BPMN_DIR = str(PROJECT_ROOT / "bpmn")
    FORMS_DIR: str | None = None  # None: the built-in library in forms/definitions
    ATTACHMENT_DIR = str(PROJECT_ROOT / "var" / "attachments")
    CALENDAR_OVERRIDES: str | None = None
    NUMBERING_FILE: str | None = None  # None: numbering.yaml beside the diagrams
    TOKEN_MAX_AGE_SECONDS = 12 * 3600
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105  (a hash algorithm name, not a password)
    MAX_CONTENT_LENGTH = 50 * 1024 * 1024
    MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
    # Quotas: evidence for one task, and for one whole case.
    MAX_FILES_PER_TASK = 50
    MAX_BYTES_PER_TASK = 500 * 1024 * 1024
    MAX_FILES_PER_CASE = 1000
    MAX_BYTES_PER_CASE = 5 * 1024 * 1024 * 1024
    ATTACHMENT_GC_GRACE_SECONDS = 24 * 3600  # an unreferenced file younger than this is left alone
    ALLOWED_ATTACHMENT_TYPES = (
        "image/jpeg",
        "image/png",
        "image/webp",
        "video/mp4",
        "audio/mpeg",
        "audio/mp4",
        "application/pdf",
        "application/octet-stream",
    )
    # Web pages (service/web): signed-in sessions expire after this long, or after this long idle.
    WEB_SESSION_MAX_AGE_SECONDS = 10 * 3600
    WEB_SESSION_IDLE_SECONDS = 2 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set ZHIFA_SESSION_COOKIE_SECURE=true behind HTTPS
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session (which expires itself)
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    PAGE_SIZE = 25
    WARM_CACHES = False  # parse deployed definitions in the background at start-up (./dev run sets it)
    # Who may start a process whose start event declares no `starterRoles` (contract 6) yet.
    STARTER_ROLES = {
        "load_bearing_case": ("officer", "squad_leader"),
        "complaint_handling": ("hotline_liaison",),
    }
    TIMER_CASE_SECONDS = 30.0  # engine time one case's timer run may take before it is stopped
    TIMER_BATCH = 20  # cases a timer worker claims at once
    # PostgreSQL connections per process (see README "Scaling out"): kept open, and extra under load.
    DB_POOL_SIZE = 2
    DB_MAX_OVERFLOW = 3
    DEMO_MODE = False
    # Sign-in throttling (per account and per client address, counted in the database by every process).
    LOGIN_WINDOW_SECONDS = 15 * 60
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 30
    DEMO_PROCESSES = ("complaint_handling", "load_bearing_case")
    ROLES = (
        "officer",
        "squad_legal",
        "squad_leader",
        "legal_reviewer",
        "deputy_head",
        "bureau_head",
        "clerk",
        "hotline_liaison",
        "process_owner",
        "auditor",
        "admin",
    )


def load_config(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    """Apply defaults, then ZHIFA_* environment variables, then explicit overrides, then validate."""
    app.config.from_object(DefaultConfig)
    app.config.from_prefixed_env("ZHIFA")
    if overrides:
        app.config.update(overrides)
    validate_config(app.config)
    ensure_secret_key(app.config)


MIN_SECRET_LENGTH = 32
SECRET_FILE = "secret_key"  # noqa: S105  (a file name, not a secret)


def ensure_secret_key(config: MutableMapping[str, Any]) -> None:
    """Give demo and test runs a key of their own: never a constant anyone could read in the source.

    Demo mode keeps one generated key in VAR_DIR/secret_key, so tokens and the audit chain (whose
    key derives from it) survive restarts; test runs get a fresh random key.
    """
    if config.get("SECRET_KEY"):
        return
    if config.get("TESTING"):
        config["SECRET_KEY"] = secrets.token_hex(32)
        return
    path = Path(config["VAR_DIR"]) / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: of two processes starting at once, one writes the key and both then read it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_hex(32) + "\n")
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < MIN_SECRET_LENGTH:
        raise RuntimeError(f"{path} holds no usable key: delete it to have a new one generated")
    config["SECRET_KEY"] = key


def validate_config(config: Mapping[str, Any]) -> None:
    """Fail fast on settings the service cannot run without."""
    relaxed = config.get("TESTING") or config.get("DEMO_MODE")
    if not config.get("SECRET_KEY") and not relaxed:
        raise RuntimeError("ZHIFA_SECRET_KEY must be set (only demo and test runs may omit it)")
    if config.get("SECRET_KEY") and not relaxed and len(str(config["SECRET_KEY"])) < MIN_SECRET_LENGTH:
        raise RuntimeError(f"ZHIFA_SECRET_KEY must be at least {MIN_SECRET_LENGTH} random characters")
    if not str(config.get("DATABASE_URL", "")).startswith(("sqlite", "postgresql")):
        raise RuntimeError("ZHIFA_DATABASE_URL must be a sqlite:// or postgresql+psycopg:// URL")
    for name, least in (("DB_POOL_SIZE", 1), ("DB_MAX_OVERFLOW", 0)):
        value = config.get(name, least)
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            raise RuntimeError(f"ZHIFA_{name} must be a whole number of at least {least}")
    if not Path(config["BPMN_DIR"]).is_dir():
        raise RuntimeError(f"ZHIFA_BPMN_DIR {config['BPMN_DIR']} is not a directory")
