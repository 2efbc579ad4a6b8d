"""Published 行政执法公示 records: the masked copy the public page shows, kept in step with each save."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class PublicNotice(Base):
    """The masked record of one publicity case and when it may be shown (nothing unmasked is stored)."""

    __tablename__ = "public_notices"

    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), primary_key=True)
    record: Mapped[dict[str, Any]] = mapped_column(
        JSON
    )  # the masked publicity_record, whitelisted fields only
    search_text: Mapped[str] = mapped_column(Text, default="")  # built from the masked values only
    party_type: Mapped[str | None] = mapped_column(String(20), index=True)
    case_kind: Mapped[str | None] = mapped_column(String(50), index=True)
    decided_on: Mapped[date | None]
    published_on: Mapped[date | None] = mapped_column(index=True)
    display_until: Mapped[date | None] = mapped_column(index=True)
    # Set when the decision was changed or revoked, or the record was withdrawn or taken down: hidden at once.
    hidden_since: Mapped[date | None]
    updated_at: Mapped[datetime]
