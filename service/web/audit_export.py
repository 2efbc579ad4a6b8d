"""案卷 export: the case file as PDF and as a signed bundle for offline checking."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue

from ..db import get_session
from ..operations import audit as audit_ops
from ..operations import case_file as case_file_ops
from ..operations import evidence as evidence_ops
from ..operations import instances as instance_ops
from ..operations.live_instances import LiveInstance, load_live
from .audit_entries import Entry
from .audit_record import record_entries
from .common import request_now
from .deadlines import local_time
from .diagram import instance_svg
from .nav import AUDIT_READERS
from .present import STATUS_NAMES, heading
from .session import page_user, signin_required

CAUSE_FIELDS = ("case_cause", "violation_facts", "description", "summary")


def cover(live: LiveInstance, entries: list[Entry]) -> dict[str, str]:
    """Return the cover of the case file: 案由, 当事人, 案号, 承办人, 立案 and 结案 dates."""
    data: Mapping[str, Any] = live.engine.data()
    head = heading(live.row)
    officers = sorted(
        {e.who for e in entries if e.kind == "task_completed" and e.role in ("执法队员", "Officer")}
    )
    cause = next((str(data[k]) for k in CAUSE_FIELDS if data.get(k)), live.definition.process.name)
    return {
        "cause": cause,
        "party": str(data.get("party_name") or ""),
        "number": head.number,
        "officers": "、".join(officers),
        "filed": str(data.get("filed_on") or local_time(live.row.started_at)[:10]),
        "closed": local_time(live.row.completed_at)[:10] if live.row.completed_at else "",
        "process": head.process,
        "status": str(STATUS_NAMES.get(live.row.status.value, live.row.status.value)),
    }


def _case_file_context(instance_id: int) -> dict[str, Any]:
    session = get_session()
    instance_ops.get_visible(session, instance_id, page_user())
    live = load_live(session, instance_id)
    events = audit_ops.events_of(session, instance_id)
    entries = record_entries(instance_id, live.definition, events)
    documents = [e for e in entries if e.kind == "task_completed" and e.items]
    return {
        "cover": cover(live, entries),
        "documents": documents,
        "entries": entries,
        "files": evidence_ops.case_attachments(session, instance_id),
        "svg": instance_svg(live, "auto"),
        "printed": local_time(request_now()),
    }


@signin_required(*AUDIT_READERS)
def audit_case_file(instance_id: int) -> ResponseReturnValue:
    """Send the 案卷 as PDF: cover, contents, documents, evidence with hashes, record, final diagram."""
    context = _case_file_context(instance_id)
    html = render_template("audit/case_file.html", **context)
    pdf = case_file_ops.render_pdf(html, base_url=request.url_root)
    name = f"case-file-{instance_id}.pdf"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(pdf, mimetype="application/pdf", headers=headers)


@signin_required(*AUDIT_READERS)
def audit_bundle(instance_id: int) -> ResponseReturnValue:
    """Send the signed bundle (zip) of a case: summary, audit chain, attachments."""
    session = get_session()
    row = instance_ops.get_visible(session, instance_id, page_user())
    head = heading(row)
    summary = {"case_no": head.number, "title": head.title, "process": head.process, **(row.summary or {})}
    data = case_file_ops.build_bundle(session, row, summary)
    headers = {"Content-Disposition": f'attachment; filename="case-bundle-{instance_id}.zip"'}
    return Response(data, mimetype="application/zip", headers=headers)
