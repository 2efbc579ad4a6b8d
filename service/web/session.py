"""Signed-in page sessions: who is signed in, expiry, and the guard that page views wear."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_user, logout_user

from ..db import get_session
from ..models import User
from .extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])


class PageUser(UserMixin):
    """The Flask-Login view of a staff account; the id carries the token generation to revoke sessions."""

    def __init__(self, row: User) -> None:
        self.row = row

    def get_id(self) -> str:
        """Return "<user id>:<token generation>"."""
        return f"{self.row.id}:{self.row.token_generation}"


@login_manager.user_loader
def _load(session_id: str) -> PageUser | None:
    user_id, _, generation = session_id.partition(":")
    if not user_id.isdigit():
        return None
    row = get_session().get(User, int(user_id))
    if row is None or not row.active or str(row.token_generation) != generation:
        return None
    return PageUser(row)


def sign_in(user: User) -> None:
    """Start a fresh page session for `user` (a new session id: no fixation)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(PageUser(user))
    now = int(time.time())
    session["signed_in_at"] = session["seen_at"] = now
    session.permanent = True


def sign_out() -> None:
    """End the page session, keeping only the language choice."""
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


def expire_stale_session() -> None:
    """Sign out a session past its absolute or idle lifetime (before each page request)."""
    if not current_user.is_authenticated:
        return
    now, config = int(time.time()), current_app.config
    started, seen = session.get("signed_in_at", 0), session.get("seen_at", 0)
    too_old = now - started > config["WEB_SESSION_MAX_AGE_SECONDS"]
    if too_old or now - seen > config["WEB_SESSION_IDLE_SECONDS"]:
        sign_out()
        flash(_("Your session has expired. Please sign in again."), "warning")
        return
    session["seen_at"] = now


def page_user() -> User:
    """Return the signed-in staff account of this page request."""
    return cast(PageUser, current_user).row


def signin_required(*roles: str) -> Callable[[F], F]:
    """Require a signed-in user (holding one of `roles`, when given); else go to the sign-in page."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
            if roles and not page_user().has_role(*roles):
                return forbidden()
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def forbidden() -> Any:
    """Render the 403 page."""
    from .common import render_error

    return render_error(403, _("You do not have the role this page needs."))
