"""Sign-in, sign-out and the language switch."""

from __future__ import annotations

import inspect
from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ..db import get_session
from ..errors import NotAuthenticated, ServiceError
from ..models import User
from ..operations import users
from .common import pick, safe_next
from .extensions import LOCALES
from .nav import STAFF
from .session import page_user, sign_in, sign_out

# Contract 4: authenticate() gains an `address` keyword (throttling); pass it once it is there.
_TAKES_ADDRESS = "address" in inspect.signature(users.authenticate).parameters


def home() -> ResponseReturnValue:
    """Send a signed-in user to their start page, anyone else to sign-in."""
    if not current_user.is_authenticated:
        return redirect(url_for("web.login"))
    return redirect(_landing(page_user()))


def _landing(user: User) -> str:
    return url_for("web.inbox") if user.has_role(*STAFF) else url_for("web.cases")


def login() -> ResponseReturnValue:
    """Show the sign-in form; on POST check the password and start a session."""
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(_landing(page_user()))
        return render_template("web/login.html", username="", error=None, next=request.args.get("next"))
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    target = safe_next(request.form.get("next"))
    db = get_session()
    try:
        user = _authenticate(db, username, password)
    except NotAuthenticated:
        error, status = _("Wrong username or password."), 401
    except ServiceError as exc:  # throttled (429) and the like: say what the service says
        error, status = pick(exc.message), exc.http_status
    else:
        db.commit()
        sign_in(user)
        return redirect(target or _landing(user))
    db.commit()  # failed attempts may be recorded (throttling, contract 4)
    return render_template("web/login.html", username=username, error=error, next=target), status


def _authenticate(db: Any, username: str, password: str) -> User:
    if not username or not password:
        raise NotAuthenticated("empty credentials")
    if _TAKES_ADDRESS:
        return users.authenticate(db, username, password, address=request.remote_addr)  # type: ignore[call-arg]
    return users.authenticate(db, username, password)


def logout() -> ResponseReturnValue:
    """End the session (POST with CSRF token, so no other site can sign you out)."""
    sign_out()
    flash(_("You have signed out."), "info")
    return redirect(url_for("web.login"))


def set_language() -> ResponseReturnValue:
    """Switch the page language for this session and go back."""
    choice = request.form.get("lang", "zh")
    session["lang"] = choice if choice in LOCALES else "zh"
    return redirect(safe_next(request.form.get("next")) or url_for("web.home"))
