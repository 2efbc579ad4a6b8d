"""Staff accounts: authentication, creation, and bearer tokens."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, has_app_context
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import utcnow
from ..errors import Invalid, NotAuthenticated, TooManyAttempts
from ..models import LoginAttempt, User
from .audit import Actor, record_system_event

TOKEN_SALT = "zhifa-api-token"  # noqa: S105  (a signing namespace, not a secret)
# Compare against a real hash when the user does not exist, so timing does not reveal usernames.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def authenticate(session: Session, username: str, password: str, *, address: str | None = None) -> User:
    """Return the active user with these credentials, or raise NotAuthenticated / TooManyAttempts.

    The one check for API tokens and page sign-in. Every attempt is recorded in `login_attempts`,
    and too many recent failures for the account or the client address refuse further tries for
    a while (counted in the database, so every process shares the count). Commits: a failed
    attempt must stay recorded although the request ends in an error, so call this before
    changing anything else in the session.
    """
    now = utcnow()
    settings = _throttle_settings()
    wait = _seconds_to_wait(session, username, address, now, settings)
    if wait:
        _record(session, username, address, now, succeeded=False, reason="throttled")
        raise TooManyAttempts(
            f"登录失败次数过多，请 {wait} 秒后再试 / too many failed sign-ins, retry in {wait} s", wait
        )
    user, reason = _check_credentials(session, username, password, demo=settings["demo"])
    if user is None:
        _record(session, username, address, now, succeeded=False, reason=reason)
        if reason == "password_is_username":
            raise NotAuthenticated(
                "密码与用户名相同，已停用，请联系管理员重设 / password equals the username and is refused "
                "outside demo mode; ask an administrator to set a new one"
            )
        raise NotAuthenticated("用户名或密码错误 / wrong username or password")
    user.last_login_at = now
    _record(session, username, address, now, succeeded=True, reason=None, commit=False)
    return user


def _check_credentials(
    session: Session, username: str, password: str, *, demo: bool
) -> tuple[User | None, str]:
    """Return (user, "") for good credentials, else (None, why)."""
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        return None, "unknown_user" if user is None else "inactive"
    if not check_password_hash(user.password_hash, password):
        return None, "wrong_password"
    if password == username and not demo:
        return None, "password_is_username"
    return user, ""


def _throttle_settings() -> dict[str, Any]:
    config: Any = current_app.config if has_app_context() else {}
    return {
        "window": int(config.get("LOGIN_WINDOW_SECONDS", 900)),
        "account": int(config.get("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)),
        "address": int(config.get("LOGIN_MAX_FAILURES_PER_ADDRESS", 30)),
        # Demo and test runs create accounts whose password is their name on purpose.
        "demo": bool(config.get("DEMO_MODE") or config.get("TESTING")),
    }


def _seconds_to_wait(
    session: Session, username: str, address: str | None, now: datetime, settings: dict[str, Any]
) -> int:
    """Return how long this account or address must wait before trying again (0: go ahead)."""
    since = now - timedelta(seconds=settings["window"])
    # An account's count restarts at its owner's next success; an address's does not (one valid
    # account must not let its holder reset the count while guessing at others).
    account = LoginAttempt.username == username
    waits = [_wait_for(session, account, settings["account"], since, now, reset_on_success=True)]
    if address:
        by_address = LoginAttempt.address == address
        waits.append(_wait_for(session, by_address, settings["address"], since, now, reset_on_success=False))
    return max(waits)


def _wait_for(
    session: Session,
    who: ColumnElement[bool],
    limit: int,
    since: datetime,
    now: datetime,
    *,
    reset_on_success: bool,
) -> int:
    """Seconds until fewer than `limit` counted failures remain in the window (0: go ahead).

    Refused (throttled) attempts are recorded but not counted, so hammering does not lengthen the wait.
    """
    start = since
    if reset_on_success:
        last_success = session.scalar(
            select(func.max(LoginAttempt.occurred_at)).where(who, LoginAttempt.succeeded)
        )
        start = max(since, last_success) if last_success else since
    failures = list(
        session.scalars(
            select(LoginAttempt.occurred_at)
            .where(
                who,
                ~LoginAttempt.succeeded,
                LoginAttempt.occurred_at > start,
                or_(LoginAttempt.reason.is_(None), LoginAttempt.reason != "throttled"),
            )
            .order_by(LoginAttempt.occurred_at.desc())
            .limit(limit)
        )
    )
    if len(failures) < limit:
        return 0
    # The oldest of the `limit` newest failures leaves the window at this instant.
    free_at = failures[-1] + (now - since)
    return max(1, math.ceil((free_at - now).total_seconds()))


def _record(
    session: Session,
    username: str,
    address: str | None,
    now: datetime,
    *,
    succeeded: bool,
    reason: str | None,
    commit: bool = True,
) -> None:
    session.add(
        LoginAttempt(
            username=username[:64],
            address=address[:64] if address else None,
            succeeded=succeeded,
            reason=reason,
            occurred_at=now,
        )
    )
    if commit:
        session.commit()  # why: see authenticate(); the caller's request rolls back on the error


def accounts_with_username_passwords(session: Session) -> list[str]:
    """Return the active accounts whose password was set equal to their username."""
    return list(
        session.scalars(
            select(User.username).where(User.active, User.password_is_username).order_by(User.username)
        )
    )


def issue_token(secret: str, user: User) -> str:
    """Sign a bearer token naming the user and their token generation (bumped to revoke)."""
    return URLSafeTimedSerializer(secret, salt=TOKEN_SALT).dumps(
        {"uid": user.id, "gen": user.token_generation}
    )


def user_from_token(session: Session, secret: str, token: str, max_age: int) -> User:
    """Return the user a valid, unexpired, unrevoked token names."""
    try:
        claims: dict[str, Any] = URLSafeTimedSerializer(secret, salt=TOKEN_SALT).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise NotAuthenticated("登录已过期 / token expired") from exc
    except BadSignature as exc:
        raise NotAuthenticated("令牌无效 / invalid token") from exc
    user = session.get(User, claims.get("uid"))
    if user is None or not user.active or user.token_generation != claims.get("gen"):
        raise NotAuthenticated("令牌无效 / invalid token")
    return user


def create_user(
    session: Session,
    username: str,
    password: str,
    roles: list[str],
    *,
    display_name: str,
    known_roles: set[str],
    actor: Actor,
    hash_method: str = "scrypt",
) -> User:
    """Create a staff account with known roles."""
    unknown = sorted(set(roles) - known_roles)
    if unknown:
        raise Invalid("未知角色 / unknown roles", {"roles": [f"unknown role {r}" for r in unknown]})
    if session.scalars(select(User).where(User.username == username)).first() is not None:
        raise Invalid("用户名已存在 / username taken", {"username": ["already exists"]})
    user = User(
        username=username,
        display_name=display_name,
        password_hash=generate_password_hash(password, method=hash_method),
        password_is_username=password == username,
        roles=roles,
    )
    session.add(user)
    session.flush()  # the audit record names the new id
    record_system_event(session, actor, "user_created", data={"username": username, "roles": roles})
    return user
