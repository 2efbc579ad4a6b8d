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
    TIMER_CASE_SECONDS = 30.0  # engine time one case's timer run may take before it is stopped
    TIMER_BATCH = 20  # cases a timer worker claims at once
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
