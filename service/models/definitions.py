"""Deployed process definitions (versioned by content hash) and deployed form definitions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, created_at, intpk


class ProcessDefinitionRow(Base):
    """One version of an executable process: the exact files and forms it runs with."""

    __tablename__ = "process_definitions"
    __table_args__ = (
        UniqueConstraint("key", "version", name="uq_process_definitions_key_version"),
        UniqueConstraint("key", "content_hash", name="uq_process_definitions_key_hash"),
        UniqueConstraint("key", "activation", name="uq_process_definitions_key_activation"),
    )

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    files: Mapped[dict[str, Any]] = mapped_column(JSON)
    forms: Mapped[dict[str, Any]] = mapped_column(JSON)
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deployed_at: Mapped[created_at]
    # The version with the highest activation is the current one: deploying content equal to an
    # older version (a roll-back) gives that row the next activation instead of a second copy.
    activation: Mapped[int]


class FormDefinitionRow(Base):
    """A form definition deployed beside diagrams (takes precedence over the built-in library)."""

    __tablename__ = "form_definitions"
    __table_args__ = (UniqueConstraint("key", "content_hash", name="uq_form_definitions_key_hash"),)

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    deployed_at: Mapped[created_at]
