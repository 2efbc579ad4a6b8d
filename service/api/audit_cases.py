"""Auditors' JSON API: search across cases, a case's events paged with names, evidence downloads."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, send_file
from flask.typing import ResponseReturnValue

from ..auth import current_user, login_required, roles_required
from ..db import get_session
from ..errors import NotFound
from ..operations import attachments as attachment_ops
from ..operations import audit_record as record_ops
from ..operations import audit_search as search_ops
from ..operations import caselist as case_ops
from ..operations import evidence as evidence_ops
from ..schemas_audit import audit_case_schema, audit_search_args, event_schema, list_events_args
from .common import query_args, request_now

EXPORT_LIMIT = 10_000
AUDIT_READERS = ("auditor", "legal_reviewer", "bureau_head", "deputy_head", "admin")


def events(instance_id: int) -> ResponseReturnValue:
    """Return one page of a case's audit history in order, each event with its actor's display name."""
    args = query_args(list_events_args)
    session = get_session()
    kinds = [k.strip() for k in args.get("kind", "").split(",") if k.strip()]
    rows, total = record_ops.event_page(
        session, instance_id, current_user(), kinds=kinds, page=args["page"], per_page=args["per_page"]
    )
    names = record_ops.display_names(session, {e.actor for e in rows})
    items = event_schema.dump(rows, many=True)
    for item in items:
        item["display_name"] = names.get(item["actor"])
    return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


def _filter(args: dict[str, Any]) -> search_ops.AuditFilter:
    return search_ops.AuditFilter(
        cases=case_ops.CaseFilter(
            process=args.get("process"),
            status=args.get("status"),
            officer=args.get("officer"),
            started_from=args.get("started_from"),
            started_to=args.get("started_to"),
            overdue=args["overdue"],
            text=args.get("text"),
        ),
        number=args.get("number"),
        party=args.get("party"),
        address=args.get("address"),
        role=args.get("role"),
        kind=args.get("kind"),
        missed=args["missed"],
    )


@roles_required(*AUDIT_READERS)
def search() -> ResponseReturnValue:
    """Search cases by number, party, address, officer, role, process, event kind, dates and deadlines."""
    args = query_args(audit_search_args)
    session, now, flt = get_session(), request_now(), _filter(args)
    rows, total = search_ops.search_page(
        session, current_user(), flt, now, page=args["page"], per_page=args["per_page"]
    )
    items = audit_case_schema.dump(search_ops.result_rows(session, rows, now), many=True)
    return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


@login_required
def attachment(attachment_id: str) -> ResponseReturnValue:
    """Send an evidence file of a case the caller may see (404 otherwise, never revealing it exists)."""
    found = evidence_ops.visible_attachment(get_session(), attachment_id, current_user())
    path = attachment_ops.blob_path(found.sha256)
    if not path.is_file():
        raise NotFound("文件不在存储中 / the file is missing from the store")
    response = send_file(path, mimetype=found.content_type, download_name=found.filename, conditional=True)
    response.headers["X-Content-SHA256"] = found.sha256
    response.headers["Cache-Control"] = "private, no-store"
    return response


CSV_COLUMNS = ("id", "case_no", "title", "party", "address", "process_key", "stage", "status")
CSV_COLUMNS += ("started_at", "completed_at", "overdue_tasks", "missed_deadlines")


@roles_required(*AUDIT_READERS)
def search_csv() -> ResponseReturnValue:
    """Export every case the search finds (up to 10,000) as CSV, UTF-8 with BOM."""
    args = query_args(audit_search_args)
    session, now = get_session(), request_now()
    rows = search_ops.search_export(session, current_user(), _filter(args), now, EXPORT_LIMIT)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in audit_case_schema.dump(search_ops.result_rows(session, rows, now), many=True):
        writer.writerow(
            [_cell(str(row.get(name) if row.get(name) is not None else "")) for name in CSV_COLUMNS]
        )
    headers = {"Content-Disposition": 'attachment; filename="audit-cases.csv"'}
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers=headers)


def _cell(text: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
