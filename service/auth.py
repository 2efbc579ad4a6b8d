"""Who is calling: bearer-token authentication and role guards for views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, g, request

from .db import get_session
from .errors import Forbidden, NotAuthenticated
from .models import User
from .operations.users import user_from_token

F = TypeVar("F", bound=Callable[..., Any])


def current_user() -> User:
    """Return the authenticated user of this request (cached on g)."""
    user: User | None = g.get("user")
    if user is not None:
        return user
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticated("需要登录 / authentication required")
    config = current_app.config
    user = user_from_token(
        get_session(), config["SECRET_KEY"], token.strip(), config["TOKEN_MAX_AGE_SECONDS"]
    )
    g.user = user
    return user


def login_required(view: F) -> F:
    """Require an authenticated user."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        current_user()
        return view(*args, **kwargs)

    return cast(F, wrapper)


def roles_required(*roles: str) -> Callable[[F], F]:
    """Require an authenticated user holding one of `roles`."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user().has_role(*roles):
                raise Forbidden(f"需要角色 {' / '.join(roles)} / requires role {' or '.join(roles)}")
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate
