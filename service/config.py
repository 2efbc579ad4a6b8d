"""Typed configuration defaults, read from ZHIFA_* environment variables, validated at start-up."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class DefaultConfig:
    """Defaults for a local run on the embedded SQLite file; production overrides via env."""

    DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'zhifa.sqlite3'}"
    SECRET_KEY: str | None = None
    AUDIT_KEY: str | None = None  # signs the audit chain; keep it stable (default: derived from SECRET_KEY)
    BPMN_DIR = str(PROJECT_ROOT / "bpmn")
    FORMS_DIR: str | None = None  # None: the built-in library in forms/definitions
    ATTACHMENT_DIR = str(PROJECT_ROOT / "var" / "attachments")
    CALENDAR_OVERRIDES: str | None = None
    NUMBERING_FILE: str | None = None  # None: numbering.yaml beside the diagrams
    TOKEN_MAX_AGE_SECONDS = 12 * 3600
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105  (a hash algorithm name, not a password)
    MAX_CONTENT_LENGTH = 50 * 1024 * 1024
    MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
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
    DEMO_MODE = False
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


def validate_config(config: Mapping[str, Any]) -> None:
    """Fail fast on settings the service cannot run without."""
    if not config.get("SECRET_KEY") and not (config.get("TESTING") or config.get("DEMO_MODE")):
        raise RuntimeError("ZHIFA_SECRET_KEY must be set (only demo and test runs may omit it)")
    if not str(config.get("DATABASE_URL", "")).startswith(("sqlite", "postgresql")):
        raise RuntimeError("ZHIFA_DATABASE_URL must be a sqlite:// or postgresql+psycopg:// URL")
    if not Path(config["BPMN_DIR"]).is_dir():
        raise RuntimeError(f"ZHIFA_BPMN_DIR {config['BPMN_DIR']} is not a directory")
