"""The Flask service: create_app wires configuration, database, engine runtime, errors, the API and pages."""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: defaults, then ZHIFA_* env, then `overrides`."""
    # Imported here so `service.db` / `service.models` stay importable on their own (Alembic env).
    from flask import Flask

    from . import config, db, runtime, web
    from .api import register_blueprints
    from .api.common import BoundedIntConverter, refuse_unstorable_input, security_headers
    from .errors import register_error_handlers
    from .operations.instance_cache import install_cache_hooks

    app = Flask(__name__)
    config.load_config(app, overrides)
    # One record per engine state change costs a quarter of the throughput (engine notes P12).
    logging.getLogger("spiff").setLevel(logging.WARNING)
    db.init_app(app)
    runtime.init_app(app)
    install_cache_hooks(app.extensions["zhifa.db"], app.extensions["zhifa.runtime"].instances)
    register_error_handlers(app)
    app.url_map.converters["int"] = BoundedIntConverter  # before any rule is added
    register_blueprints(app)
    web.init_app(app)
    app.before_request(refuse_unstorable_input)
    app.after_request(security_headers)
    if not (app.config.get("TESTING") or app.config.get("DEMO_MODE")):
        warn_about_username_passwords(app)
    return app


def warn_about_username_passwords(app: Flask) -> None:
    """Say loudly at start-up when accounts whose password is their username exist outside demo mode."""
    from sqlalchemy.exc import SQLAlchemyError

    from .db import session_scope
    from .operations.users import accounts_with_username_passwords

    try:
        with session_scope(app) as session:
            weak = accounts_with_username_passwords(session)
    except SQLAlchemyError:
        return  # not migrated yet (e.g. `zhifa db upgrade` is about to run): nothing to check
    if weak:
        message = (
            f"SECURITY: {len(weak)} account(s) have their username as password ({', '.join(weak[:20])}); "
            "they cannot sign in outside demo mode until an administrator sets new passwords"
        )
        app.logger.error(message)
        print(message, file=sys.stderr)  # noqa: T201  (also when logging is not configured)
