"""The Flask service: create_app wires configuration, database, engine runtime, errors and the API."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: defaults, then ZHIFA_* env, then `overrides`."""
    # Imported here so `service.db` / `service.models` stay importable on their own (Alembic env).
    from flask import Flask

    from . import config, db, runtime
    from .api import register_blueprints
    from .api.common import security_headers
    from .errors import register_error_handlers
    from .operations.instances import install_cache_hooks

    app = Flask(__name__)
    config.load_config(app, overrides)
    # One record per engine state change costs a quarter of the throughput (engine notes P12).
    logging.getLogger("spiff").setLevel(logging.WARNING)
    db.init_app(app)
    runtime.init_app(app)
    install_cache_hooks(app.extensions["zhifa.db"], app.extensions["zhifa.runtime"].instances)
    register_error_handlers(app)
    register_blueprints(app)
    app.after_request(security_headers)
    return app
