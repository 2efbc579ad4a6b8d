"""案件: the case list with filters, paging and CSV export; the case page with its live diagram."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

from flask import Response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ..db import get_session
from ..operations import audit as audit_ops
from ..operations import caselist as case_ops
from ..operations import closed_case
from ..operations import evidence as evidence_ops
from ..operations import instances as instance_ops
from ..operations.audit import SYSTEM_ACTOR
from ..operations.live_instances import load_live
from . import incidents as incident_pages
from .casepage import data_by_stage, deadlines, history, parties
from .common import lang, request_now
from .deadlines import local_time
from .diagram import instance_svg
from .nav import CASE_READERS
from .paging import Page, page_args
from .present import STATUS_NAMES, heading, process_names, role_name
from .session import page_user, signin_required

# Both layouts are drawn once per definition version and only recoloured per case (milliseconds).
LAYOUTS = ("auto", "bpmn")


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _filter() -> case_ops.CaseFilter:
    args = request.args
    return case_ops.CaseFilter(
        process=args.get("process") or None,
        stage=args.get("stage") or None,
        status=args.get("status") or None,
        officer=args.get("officer") or None,
        started_from=_date_arg("from"),
        started_to=_date_arg("to"),
        overdue=args.get("overdue") == "1",
        text=(args.get("q") or "").strip()[:100] or None,
    )


@signin_required(*CASE_READERS)
def cases() -> ResponseReturnValue:
    """List the cases the user may read, filtered and paged."""
    session, user, now = get_session(), page_user(), request_now()
    flt = _filter()
    number, size = page_args()
    rows, total = case_ops.case_page(session, user, flt, now, page=number, per_page=size)
    late = case_ops.overdue_counts(session, [r.id for r in rows], now)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "web/cases.html",
        rows=[(row, heading(row), late.get(row.id, 0)) for row in rows],
        page=Page(rows, total, number, size, capped=getattr(total, "capped", False)),
        flt=flt,
        args=args,
        statuses=list(STATUS_NAMES.items()),
        processes=sorted(process_names().items(), key=lambda kv: kv[1]),
        stages=case_ops.stage_names(session, user),
        officers=case_ops.officers(session),
        local_time=local_time,
        show_incidents=incident_pages.may_see(user),
    )


@signin_required(*CASE_READERS)
def cases_csv() -> ResponseReturnValue:
    """Export the filtered case list as CSV (UTF-8 with BOM, so spreadsheet programs read Chinese)."""
    session, user, now = get_session(), page_user(), request_now()
    rows = case_ops.case_export(session, user, _filter(), now)
    late = case_ops.overdue_counts(session, [r.id for r in rows], now)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Case no."),
            _("Title"),
            _("Process"),
            _("Stage"),
            _("Status"),
            _("Started"),
            _("Completed"),
            _("Overdue tasks"),
        ]
    )
    for row in rows:
        head = heading(row)
        writer.writerow(
            [
                head.number,
                _cell(head.title),
                head.process,
                _cell(row.stage or ""),
                str(STATUS_NAMES.get(row.status.value, row.status.value)),
                local_time(row.started_at),
                local_time(row.completed_at),
                late.get(row.id, 0),
            ]
        )
    body = "\ufeff" + out.getvalue()
    name = f"cases-{now.date().isoformat()}.csv"
    return Response(
        body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _cell(text: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _case_context(instance_id: int) -> dict[str, Any]:
    session, user, now = get_session(), page_user(), request_now()
    instance_ops.get_visible(session, instance_id, user)
    live = load_live(session, instance_id)
    events = audit_ops.events_of(session, instance_id)
    files = evidence_ops.case_attachments(session, instance_id)
    who = {SYSTEM_ACTOR.username: _("System (automatic)")} | case_ops.display_names(
        session, {e.actor for e in events}
    )
    holders = case_ops.names_by_id(session, {t.assignee_id for t in live.row.tasks if t.assignee_id})
    data = live.engine.data()
    return {
        "case": live.row,
        "heading": heading(live.row),
        "definition_version": live.definition.version,
        "status": STATUS_NAMES.get(live.row.status.value, live.row.status.value),
        "parties": parties(live, data, lang()),
        "tasks": [(t, role_name(t.role, lang()), holders.get(t.assignee_id)) for t in live.row.tasks],
        "deadlines": deadlines(live, now, lambda task_id: url_for("web.task", task_id=task_id)),
        "files": files,
        "stages": data_by_stage(live, events, who, {f.id: f for f in files}, lang()),
        "history": history(events, who, lang()),
        "address": data.get("address"),
        "incidents": incident_pages.case_items(user, instance_id),
        "may_retry": incident_pages.may_retry(user),
    }


@signin_required(*CASE_READERS)
def case(instance_id: int) -> ResponseReturnValue:
    """Show one case: parties, stage, deadlines, evidence, data by stage, history, live diagram."""
    layout = request.args.get("layout", "auto")
    context = _case_context(instance_id)
    return render_template(
        "web/case.html",
        layout=layout if layout in LAYOUTS else "auto",
        layouts=LAYOUTS,
        after_closure=closed_case.follow_up_offered(get_session(), context["case"], page_user()),
        **context,
    )


@signin_required(*CASE_READERS)
def case_panels(instance_id: int) -> ResponseReturnValue:
    """Return the live parts of the case page (open tasks, deadlines, history) as a fragment."""
    return render_template("web/_case_panels.html", **_case_context(instance_id))


@signin_required(*CASE_READERS)
def case_next(instance_id: int) -> ResponseReturnValue:
    """After a submission: what happens next in this case, and which role holds it."""
    context = _case_context(instance_id)
    user = page_user()
    mine = [
        t
        for t, _role, _holder in context["tasks"]
        if t.role in user.roles and t.assignee_id in (None, user.id)
    ]
    return render_template("web/case_next.html", mine=mine, **context)


@signin_required(*CASE_READERS)
def case_diagram(instance_id: int) -> ResponseReturnValue:
    """Return the diagram fragment; 304 while the case has not changed (polled by the case page)."""
    session = get_session()
    layout = request.args.get("layout", "auto")
    layout = layout if layout in LAYOUTS else "auto"
    row = instance_ops.get_visible(session, instance_id, page_user())
    etag = f"case-{instance_id}-v{row.version_id}-{layout}"
    if etag in request.if_none_match:
        return Response(status=304, headers={"ETag": f'"{etag}"', "Cache-Control": "no-cache"})
    live = load_live(session, instance_id)
    svg = instance_svg(live, layout)
    links = _node_links(live)
    body = render_template("web/_diagram.html", svg=svg, links=json.dumps(links), version=row.version_id)
    return Response(body, mimetype="text/html", headers={"ETag": f'"{etag}"', "Cache-Control": "no-cache"})


def _node_links(live: Any) -> dict[str, str]:
    """Map BPMN ids to where a click goes: the open task, else the last history entry of that step."""
    links = {}
    for event in audit_ops.events_of(get_session(), live.row.id):
        if event.task_bpmn_id and event.kind == "task_completed":
            links[event.task_bpmn_id] = f"#event-{event.seq}"
    for task in live.row.tasks:
        links[task.bpmn_id] = url_for("web.task", task_id=task.id)
    return links
