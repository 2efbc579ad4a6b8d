"""行政执法公示: the public page of published penalty decisions, masked, without sign-in (HTML and JSON)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from workflows import CHINA_TZ

from ..db import get_session
from ..operations import publicity as publicity_ops
from .common import request_now
from .paging import Page, page_args

LABELS = {
    "decision_no": _l("Decision no."),
    "party_name": _l("Party"),
    "party_id_number": _l("ID number"),
    "party_uscc": _l("Unified social credit code"),
    "legal_representative": _l("Legal representative"),
    "violation_facts": _l("Facts of the violation"),
    "penalty_kind": _l("Kind of penalty"),
    "legal_basis": _l("Legal basis"),
    "fine_amount": _l("Fine (yuan)"),
    "performance_method": _l("How to comply"),
    "deciding_organ": _l("Deciding organ"),
    "decided_on": _l("Decided on"),
}
PARTY_TYPES = {"individual": _l("Individual"), "organization": _l("Organization")}


def _date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _filter() -> publicity_ops.NoticeFilter:
    party_type = request.args.get("party_type") or None
    return publicity_ops.NoticeFilter(
        published_from=_date("from"),
        published_to=_date("to"),
        party_type=party_type if party_type in PARTY_TYPES else None,
        case_kind=(request.args.get("kind") or "").strip()[:50] or None,
        text=(request.args.get("q") or "").strip()[:100] or None,
    )


def _today() -> date:
    return request_now().astimezone(CHINA_TZ).date()


def _found() -> tuple[list[dict[str, Any]], Page]:
    number, size = page_args()
    rows, total = publicity_ops.notice_page(get_session(), _filter(), _today(), page=number, per_page=size)
    items = [
        {
            "id": row.instance_id,
            "published_on": row.published_on.isoformat() if row.published_on else None,
            "party_type": row.party_type,
            "record": dict(row.record),
        }
        for row in rows
    ]
    return items, Page(items, total, number, size)


def gongshi() -> ResponseReturnValue:
    """Show the penalty decisions on show today, searchable by date, party type and kind."""
    items, page = _found()
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "public/gongshi.html",
        items=items,
        page=page,
        args=args,
        form=request.args,
        labels=LABELS,
        party_types=PARTY_TYPES,
        kinds=publicity_ops.case_kinds(get_session(), _today()),
    )


def gongshi_json() -> ResponseReturnValue:
    """Return the same records as JSON (masked exactly as on the page)."""
    items, page = _found()
    return jsonify({"items": items, "total": page.total, "page": page.number, "per_page": page.size})
