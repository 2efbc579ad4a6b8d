"""行政执法公示: keep the public copy of each publicity case in step, and search what may be shown.

Only the masked `publicity_record` the process built (publicity_masking.dmn via `mask_record`) is
copied, and only the fields a published penalty decision carries. The record shows from its
publication day until its display period ends; a decision change (变更/撤销/确认违法/确认无效), a
withdrawal or a take-down hides it from that moment, before the clerk's 3-working-day withdrawal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from ..db import utcnow
from ..jsonsafe import to_json_value
from ..models import PublicNotice

if TYPE_CHECKING:  # instances imports this module; the type is only needed for hints
    from .live_instances import LiveInstance

PUBLICITY_PROCESS = "enforcement_publicity"
# What a published penalty decision may show, in this order; anything else never leaves the case.
PUBLIC_FIELDS = (
    "decision_no",
    "party_name",
    "party_id_number",
    "party_uscc",
    "legal_representative",
    "violation_facts",
    "penalty_kind",
    "legal_basis",
    "fine_amount",
    "performance_method",
    "deciding_organ",
    "decided_on",
)
HIDING_FIELDS = ("change_kind", "withdrawn_on", "taken_down_on")


def sync_public_notice(session: Session, live: LiveInstance) -> None:
    """Update the public copy of a publicity case after a save (no row until it has a masked record)."""
    if live.row.process_key != PUBLICITY_PROCESS:
        return
    data = live.engine.data()
    record = data.get("publicity_record")
    if not isinstance(record, dict):
        return
    with session.no_autoflush:
        notice = session.get(PublicNotice, live.row.id)
    if notice is None:
        notice = PublicNotice(instance_id=live.row.id)
        session.add(notice)
    shown = {k: to_json_value(record[k]) for k in PUBLIC_FIELDS if record.get(k) not in (None, "")}
    notice.record = shown
    notice.search_text = " ".join(str(v) for v in shown.values())
    notice.party_type = str(data.get("party_type") or "") or None
    notice.case_kind = str(shown.get("penalty_kind") or "") or None
    notice.decided_on = _day(data.get("decided_on"))
    notice.published_on = _day(data.get("published_on"))
    notice.display_until = _day(data.get("publicity_ends_on"))
    notice.hidden_since = _hidden_since(data, live.row.status.value)
    notice.updated_at = utcnow()


def _hidden_since(data: dict[str, Any], status: str) -> date | None:
    for name in ("changed_on", "withdrawn_on", "taken_down_on"):
        day = _day(data.get(name))
        if day is not None:
            return day
    if any(data.get(name) for name in HIDING_FIELDS) or status == "cancelled":
        return utcnow().date()
    return None


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class NoticeFilter:
    """What the public may search by."""

    published_from: date | None = None
    published_to: date | None = None
    party_type: str | None = None
    case_kind: str | None = None
    text: str | None = None


def _shown(today: date) -> Select[tuple[PublicNotice]]:
    return select(PublicNotice).where(
        PublicNotice.published_on.is_not(None),
        PublicNotice.published_on <= today,
        PublicNotice.hidden_since.is_(None),
        or_(PublicNotice.display_until.is_(None), PublicNotice.display_until >= today),
    )


def notice_page(
    session: Session, flt: NoticeFilter, today: date, *, page: int = 1, per_page: int = 20
) -> tuple[list[PublicNotice], int]:
    """Return one page of the records on show today, newest publication first, and the total."""
    query = _shown(today)
    if flt.published_from:
        query = query.where(PublicNotice.published_on >= flt.published_from)
    if flt.published_to:
        query = query.where(PublicNotice.published_on <= flt.published_to)
    if flt.party_type:
        query = query.where(PublicNotice.party_type == flt.party_type)
    if flt.case_kind:
        query = query.where(PublicNotice.case_kind == flt.case_kind)
    if flt.text:
        escaped = flt.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(PublicNotice.search_text.like(f"%{escaped}%", escape="\\"))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ordered = query.order_by(PublicNotice.published_on.desc(), PublicNotice.instance_id.desc())
    rows = session.scalars(ordered.offset((page - 1) * per_page).limit(per_page))
    return list(rows), total


def case_kinds(session: Session, today: date) -> list[str]:
    """Return the kinds of penalty among the records on show."""
    query = _shown(today).with_only_columns(PublicNotice.case_kind).distinct()
    return sorted(k for k in session.scalars(query) if k)
