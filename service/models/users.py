"""Staff accounts and their roles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
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
    created_at: Mapped[created_at]
    last_login_at: Mapped[datetime | None]

    def has_role(self, *roles: str) -> bool:
        """Tell whether the user holds any of the given roles."""
        return any(role in self.roles for role in roles)
