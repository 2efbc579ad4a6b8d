"""The Flask extensions behind the pages: Flask-Login sessions, Flask-WTF CSRF and Flask-Babel."""

from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

LOCALES = {"zh": "zh_Hans_CN", "en": "en"}  # what the language switch offers -> Babel locale

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def select_locale() -> str:
    """Chinese unless the user switched to English for this session."""
    chosen = session.get("lang") if request else None
    return LOCALES.get(str(chosen), LOCALES["zh"])


def init_app(app: Flask) -> None:
    """Bind the page extensions; the JSON API (bearer tokens, no cookies) is exempt from CSRF."""
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    api = app.blueprints.get("api")
    if api is not None:
        csrf.exempt(api)
    babel.init_app(app, locale_selector=select_locale)
