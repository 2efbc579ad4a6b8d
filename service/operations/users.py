"""Staff accounts: authentication, creation, and bearer tokens."""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import utcnow
from ..errors import Invalid, NotAuthenticated
from ..models import User
from .audit import Actor, record_system_event

TOKEN_SALT = "zhifa-api-token"  # noqa: S105  (a signing namespace, not a secret)
# Compare against a real hash when the user does not exist, so timing does not reveal usernames.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def authenticate(session: Session, username: str, password: str) -> User:
    """Return the active user with these credentials, or raise NotAuthenticated."""
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        raise NotAuthenticated("用户名或密码错误 / wrong username or password")
    if not check_password_hash(user.password_hash, password):
        raise NotAuthenticated("用户名或密码错误 / wrong username or password")
    user.last_login_at = utcnow()
    return user


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
        roles=roles,
    )
    session.add(user)
    session.flush()  # the audit record names the new id
    record_system_event(session, actor, "user_created", data={"username": username, "roles": roles})
    return user
