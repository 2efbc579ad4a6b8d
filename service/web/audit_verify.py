"""Chain verification in the UI: start a background check (one case or everything) and watch its progress."""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..db import get_session
from ..models import AuditEvent, AuditVerifyJob, ProcessInstance
from ..operations import audit_jobs as job_ops
from ..operations import instances as instance_ops
from ..operations.audit import instance_stream
from .audit_entries import KIND_NAMES
from .common import is_htmx, pick, render_error
from .deadlines import local_time
from .nav import AUDIT_READERS
from .present import heading
from .session import page_user, signin_required

BREAK_KINDS = {
    "tampered": "记录被改动 / an event was altered",
    "unreadable": "记录无法读取 / a stored event cannot be read",
    "key_mismatch": "密钥不符 / the key does not match this database",
    "missing": "记录缺失 / events are missing",
    "state_changed": "案件数据被改动 / a case's data was changed",
    "checkpoint": "检查点不符 / the checkpoint does not match",
}


def _case_arg() -> int | None:
    value = request.values.get("case", "")
    return int(value) if value.isdigit() and int(value) < 2**53 else None


@signin_required(*AUDIT_READERS)
def audit_verify_page() -> ResponseReturnValue:
    """Offer a verification of one case or the whole database, and list the latest runs."""
    session = get_session()
    case_id = _case_arg()
    case = instance_ops.get_visible(session, case_id, page_user()) if case_id else None
    jobs = job_ops.latest_jobs(session)
    return render_template(
        "audit/verify.html",
        case=case,
        heading=heading(case) if case else None,
        jobs=[describe(j) for j in jobs],
    )


@signin_required(*AUDIT_READERS)
def audit_verify_start() -> ResponseReturnValue:
    """Start a verification in the background and show its progress."""
    session = get_session()
    case_id = _case_arg() if request.form.get("scope") == "case" else None
    if request.form.get("scope") == "case" and case_id is None:
        return render_error(422, _("Choose a case to verify."))
    if case_id is not None:
        instance_ops.get_visible(session, case_id, page_user())
    job = job_ops.create_job(session, instance_stream(case_id) if case_id else None, page_user().username)
    session.commit()
    job_ops.start_job(current_app._get_current_object(), job.id)  # type: ignore[attr-defined]
    if is_htmx():
        return render_template("audit/_verify_job.html", job=describe(job))
    return redirect(url_for("web.audit_verify_job", job_id=job.id))


@signin_required(*AUDIT_READERS)
def audit_verify_job(job_id: str) -> ResponseReturnValue:
    """Show one verification's progress (a fragment the page polls until the run ends)."""
    session = get_session()
    job = job_ops.get_job(session, job_id)
    session.refresh(job)
    template = "audit/_verify_job.html" if is_htmx() else "audit/verify_job.html"
    return render_template(template, job=describe(job))


def describe(job: AuditVerifyJob) -> dict[str, Any]:
    """Return what the page says about a run: scope, progress, and the first break in words."""
    stale = job_ops.is_stale(job)  # shown as ended, so the page stops polling it
    ended = job.finished_at is not None or stale
    checked, total = (job.checked, job.total) if ended else job_ops.live_progress(job)
    share = 100 if ended else (int(100 * checked / total) if total else 0)
    error = job.error or (
        _("The check stopped without a result (the process running it ended). Start it again.")
        if stale
        else None
    )
    return {
        "id": job.id,
        "scope": _scope(job.stream),
        "started": local_time(job.started_at),
        "finished": ended,
        "checked": checked,
        "total": total,
        "percent": share,
        "ok": job.ok,
        "error": error,
        "problem": _problem(job.first_break) if job.first_break else None,
    }


def _scope(stream: str | None) -> str:
    if stream is None:
        return _("Whole database")
    return _("Case %(id)s", id=stream.split(":", 1)[-1])


def _problem(broken: dict[str, Any]) -> dict[str, Any]:
    """Name the first broken link as an auditor reads it: which case, which entry, who and when."""
    stream, seq = str(broken.get("stream", "")), broken.get("seq")
    found: dict[str, Any] = {
        "title": pick(BREAK_KINDS.get(str(broken.get("kind")), BREAK_KINDS["tampered"])),
        "reason": pick(str(broken.get("reason", ""))),
        "kind": broken.get("kind"),
        "seq": seq,
        "where": stream,
        "link": None,
    }
    if stream.startswith("instance:"):
        found.update(_case_place(int(stream.split(":", 1)[1]), seq))
    elif stream == "system":
        found["where"] = _("System record (deployments, users)")
    if broken.get("event_id") is not None:
        found.update(_event_place(int(broken["event_id"])))
    return found


def _case_place(instance_id: int, seq: Any) -> dict[str, Any]:
    row = get_session().get(ProcessInstance, instance_id)
    number = heading(row).number if row is not None else f"#{instance_id}"
    link = url_for("web.audit_record", instance_id=instance_id) + f"#event-{seq}" if row is not None else None
    return {"where": _("Case %(number)s, entry #%(seq)s", number=number, seq=seq), "link": link}


def _event_place(event_id: int) -> dict[str, Any]:
    """Read the altered event's kind, actor and time without its (possibly unreadable) data."""
    query = select(AuditEvent.kind, AuditEvent.actor, AuditEvent.occurred_at).where(AuditEvent.id == event_id)
    try:
        row = get_session().execute(query).first()
    except (SQLAlchemyError, ValueError, TypeError):
        get_session().rollback()
        return {}
    if row is None:
        return {}
    return {"event": f"{KIND_NAMES.get(row.kind, row.kind)} · {row.actor} · {local_time(row.occurred_at)}"}
