"""执法全过程记录: an auditor reads one case's record page by page and the diagram after any event."""

from __future__ import annotations

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from workflows import diagram_template

from ..db import get_session
from ..models import AuditEvent
from ..operations import audit_record as record_ops
from ..operations import audit_snapshots as snapshot_ops
from ..operations import evidence as evidence_ops
from ..operations.live_instances import load_live
from ..runtime import LoadedDefinition
from .audit_entries import KIND_NAMES, Entry, describe
from .common import lang, render_error
from .nav import AUDIT_READERS
from .paging import Page, page_args
from .present import STATUS_NAMES, heading
from .session import page_user, signin_required


def record_entries(instance_id: int, definition: LoadedDefinition, events: list[AuditEvent]) -> list[Entry]:
    """Describe `events` of one case for the page (names, labels, files, deadlines)."""
    session = get_session()
    names = record_ops.display_names(session, {e.actor for e in events})
    names.update(
        record_ops.display_names(
            session,
            {
                str(e.data.get("assignee"))
                for e in events
                if isinstance(e.data, dict) and e.data.get("assignee")
            },
        )
    )
    files = {a.id: a for a in evidence_ops.case_attachments(session, instance_id)}
    traces = snapshot_ops.snapshots(session, events)
    entries = []
    for event in events:
        before = snapshot_ops.open_tasks_before(session, event) if event.kind == "task_completed" else {}
        entry = describe(event, definition, names=names, files=files, open_before=before, lang=lang())
        entry.has_diagram = bool(event.state_hash and event.state_hash in traces)
        entries.append(entry)
    return entries


@signin_required(*AUDIT_READERS)
def audit_record(instance_id: int) -> ResponseReturnValue:
    """Show a case's record: every event in order, paged, filterable by kind."""
    session, user = get_session(), page_user()
    kinds = [k for k in request.args.getlist("kind") if k]
    number, size = page_args()
    events, total = record_ops.event_page(session, instance_id, user, kinds=kinds, page=number, per_page=size)
    live = load_live(session, instance_id)
    entries = record_entries(instance_id, live.definition, events)
    args = {"kind": kinds, "size": request.args.get("size") or None}
    return render_template(
        "audit/record.html",
        case=live.row,
        heading=heading(live.row),
        status=STATUS_NAMES.get(live.row.status.value, live.row.status.value),
        entries=entries,
        page=Page(entries, total, number, size),
        args={k: v for k, v in args.items() if v},
        kinds=[(k, str(KIND_NAMES.get(k, k))) for k in record_ops.event_kinds(session, instance_id)],
        chosen=set(kinds),
        files=evidence_ops.case_attachments(session, instance_id),
    )


@signin_required(*AUDIT_READERS)
def audit_record_diagram(instance_id: int, seq: int) -> ResponseReturnValue:
    """Return the status diagram as it stood right after event `seq` (an HTML fragment)."""
    session = get_session()
    event = record_ops.event_at(session, instance_id, seq, page_user())
    snapshot = snapshot_ops.snapshots(session, [event]).get(event.state_hash or "")
    if snapshot is None:
        return render_error(
            404, _("No diagram was stored for this event (recorded before diagrams were kept).")
        )
    definition = load_live(session, instance_id).definition
    trace = snapshot_ops.as_trace(snapshot)
    process = definition.process
    template = diagram_template(process.files, process.process_id, layout="auto")  # type: ignore[arg-type]
    body = render_template("audit/_diagram_at.html", svg=template.render(trace), seq=seq)
    return Response(body, mimetype="text/html", headers={"Cache-Control": "private, max-age=3600"})
