"""Official holiday schedules entered in the service, one row per year (every process reads them)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, created_at


class CalendarYear(Base):
    """The State Council's schedule for one year: weekdays off and weekend days worked (ISO dates)."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    holidays: Mapped[list[Any]] = mapped_column(JSON)
    workdays: Mapped[list[Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(300))  # the notice or file it was entered from
    entered_by: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[created_at]

    def days(self) -> tuple[frozenset[date], frozenset[date]]:
        """Return (holidays, workdays) as dates."""
        return (
            frozenset(date.fromisoformat(d) for d in self.holidays),
            frozenset(date.fromisoformat(d) for d in self.workdays),
        )
