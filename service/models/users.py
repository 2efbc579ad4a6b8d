"""Staff accounts and their roles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, created_at, intpk


class User(Base):
    """A member of staff; `roles` holds role keys from ARCHITECTURE.md."""

    __tablename__ = "users"

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(256))
    roles: Mapped[list[Any]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    token_generation: Mapped[int] = mapped_column(default=0)
    # Set when the password was set equal to the username (demo accounts): refused outside demo mode.
    password_is_username: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[created_at]
    last_login_at: Mapped[datetime | None]

    def has_role(self, *roles: str) -> bool:
        """Tell whether the user holds any of the given roles."""
        return any(role in self.roles for role in roles)


class LoginAttempt(Base):
    """One sign-in attempt, successful or not: the record behind throttling and the sign-in log."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "occurred_at"),
        Index("ix_login_attempts_address_at", "address", "occurred_at"),
    )

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))
    succeeded: Mapped[bool]
    reason: Mapped[str | None] = mapped_column(String(50))
    occurred_at: Mapped[created_at]
