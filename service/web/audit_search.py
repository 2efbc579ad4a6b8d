"""Auditors' search across cases, paged, with CSV and JSON export of the results."""

from __future__ import annotations

import csv
import io
import json

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from ..db import get_session
from ..models import ProcessInstance
from ..operations import audit_search as search_ops
from ..operations import caselist as case_ops
from .audit_entries import KIND_NAMES
from .cases import _cell, _filter
from .common import request_now
from .deadlines import local_time
from .nav import AUDIT_READERS
from .paging import Page, page_args
from .present import ROLE_NAMES, STATUS_NAMES, heading, process_names, role_name
from .session import page_user, signin_required

EXPORT_LIMIT = 10_000


def audit_filter() -> search_ops.AuditFilter:
    """Read the search form (the case list's filters plus the auditors' own)."""
    args = request.args

    def text(name: str) -> str | None:
        return (args.get(name) or "").strip()[:100] or None

    return search_ops.AuditFilter(
        cases=_filter(),
        number=text("number"),
        party=text("party"),
        address=text("address"),
        role=text("role"),
        kind=text("kind"),
        missed=args.get("missed") == "1",
    )


def _rows(rows: list[ProcessInstance]) -> list[dict[str, object]]:
    """Return the search results as plain rows (page, CSV and JSON say the same)."""
    session, now = get_session(), request_now()
    ids = [r.id for r in rows]
    late = case_ops.overdue_counts(session, ids, now)
    missed = search_ops.missed_counts(session, ids)
    out = []
    for row in rows:
        head = heading(row)
        summary = row.summary or {}
        out.append(
            {
                "id": row.id,
                "case_no": head.number,
                "title": head.title,
                "party": str(summary.get("party_name") or ""),
                "address": str(summary.get("address") or ""),
                "process": head.process,
                "stage": row.stage or "",
                "status": str(STATUS_NAMES.get(row.status.value, row.status.value)),
                "started": local_time(row.started_at),
                "completed": local_time(row.completed_at),
                "overdue_tasks": late.get(row.id, 0),
                "missed_deadlines": missed.get(row.id, 0),
            }
        )
    return out


@signin_required(*AUDIT_READERS)
def audit_search() -> ResponseReturnValue:
    """Search cases by number, party, address, officer, role, process, event kind, dates, deadlines."""
    session, user, now = get_session(), page_user(), request_now()
    number, size = page_args()
    rows, total = search_ops.search_page(session, user, audit_filter(), now, page=number, per_page=size)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "audit/search.html",
        rows=_rows(rows),
        page=Page(rows, total, number, size),
        args=args,
        form=request.args,
        processes=sorted(process_names().items(), key=lambda kv: kv[1]),
        officers=case_ops.officers(session),
        roles=[(key, role_name(key, "zh")) for key in ROLE_NAMES],
        kinds=[(key, str(name)) for key, name in KIND_NAMES.items()],
    )


COLUMNS = [
    ("case_no", _l("Case no.")),
    ("title", _l("Title")),
    ("party", _l("Party")),
    ("address", _l("Address")),
    ("process", _l("Process")),
    ("stage", _l("Stage")),
    ("status", _l("Status")),
    ("started", _l("Started")),
    ("completed", _l("Completed")),
    ("overdue_tasks", _l("Overdue tasks")),
    ("missed_deadlines", _l("Missed deadlines")),
]


def _exported() -> list[dict[str, object]]:
    session, user, now = get_session(), page_user(), request_now()
    return _rows(search_ops.search_export(session, user, audit_filter(), now, EXPORT_LIMIT))


@signin_required(*AUDIT_READERS)
def audit_search_csv() -> ResponseReturnValue:
    """Export the search results as CSV (UTF-8 with BOM, cells safe from formula injection)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(label) for _key, label in COLUMNS])
    for row in _exported():
        writer.writerow([_cell(str(row[key])) for key, _label in COLUMNS])
    name = f"audit-search-{request_now().date().isoformat()}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers=headers)


@signin_required(*AUDIT_READERS)
def audit_search_json() -> ResponseReturnValue:
    """Export the search results as JSON."""
    rows = _exported()
    name = f"audit-search-{request_now().date().isoformat()}.json"
    body = json.dumps({"items": rows, "total": len(rows)}, ensure_ascii=False, indent=1)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, mimetype="application/json", headers=headers)
