"""Counters behind case and document numbers (yearly series, never reused)."""

from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, intpk


class NumberCounter(Base):
    """The last number issued in one series (e.g. one document kind in one year)."""

    __tablename__ = "number_counters"
    __table_args__ = (UniqueConstraint("series", "year", name="uq_number_counters_series_year"),)

    id: Mapped[intpk]
    series: Mapped[str] = mapped_column(String(100))
    year: Mapped[int]
    last_value: Mapped[int] = mapped_column(default=0)
