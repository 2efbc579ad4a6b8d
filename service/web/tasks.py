"""The task page: its form rendered from field specs, drafts, evidence upload, and submission."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from marshmallow import ValidationError

from ..db import get_session
from ..errors import Invalid
from ..models import Attachment, HumanTask, User
from ..operations import attachments as attachment_ops
from ..operations import drafts as draft_ops
from ..operations import evidence as evidence_ops
from ..operations import tasks as task_ops
from ..operations.tasks import TaskDetail
from ..runtime import get_runtime
from .casepage import labelled
from .common import lang, pick, render_error, request_now
from .deadlines import countdown
from .formdata import (
    attachment_ids,
    defaults,
    display_values,
    draft_values,
    error_paths,
    labels_by_path,
    parse_post,
    prefilled,
)
from .nav import CASE_READERS, STAFF
from .present import heading, role_name
from .session import page_user, signin_required

EVIDENCE_ACCEPT = "image/jpeg,image/png,image/webp,video/mp4,application/pdf"


@dataclass
class FormContext:
    """What the form macros need besides specs, values and errors."""

    attachments: dict[str, Attachment] = field(default_factory=dict)
    upload_url: str | None = None
    accept: str = EVIDENCE_ACCEPT
    max_mb: int = 50
    upload_note: str | None = None  # shown instead of the file input where uploads cannot happen


def _may_act(task: HumanTask, user: User) -> bool:
    return task.role in user.roles and task.assignee_id in (None, user.id)


def _specs(detail: TaskDetail) -> list[dict[str, Any]]:
    return detail.form.field_specs(lang()) if detail.form else []


def _render(
    detail: TaskDetail, values: dict[str, Any], errors: dict[str, list[str]], status: int = 200
) -> Any:
    session, user = get_session(), page_user()
    task, specs = detail.task, _specs(detail)
    case = task.instance
    may_act = _may_act(task, user)
    ctx = FormContext(
        attachments=evidence_ops.attachments_by_id(session, case.id, attachment_ids(specs, values)),
        upload_url=url_for("web.upload_evidence", task_id=task.id) if may_act else None,
        max_mb=current_app.config["MAX_ATTACHMENT_BYTES"] // (1024 * 1024) or 1,
    )
    page = render_template(
        "web/task.html",
        task=task,
        case=case,
        heading=heading(case),
        form_title=detail.form.title(lang()) if detail.form else task.name,
        specs=specs,
        values=values,
        errors=errors,
        labels=labels_by_path(specs, values),
        ctx=ctx,
        may_act=may_act,
        role=role_name(task.role, lang()),
        countdown=countdown(task.due_at, request_now(), task.warn_at, provisional=task.due_provisional),
        draft_saved=draft_ops.get_draft(session, task.id, user) is not None,
        earlier=_earlier(detail),
    )
    return page, status


def _earlier(detail: TaskDetail) -> list[tuple[str, str]]:
    """The case data the form asks to show (`shows` in its definition), labelled."""
    definition = get_runtime().cached(detail.task.instance.definition_id)
    if detail.form is None or not detail.form.definition.shows or definition is None:
        return []
    return labelled(definition, detail.form.definition.shows, detail.data, lang())


@signin_required(*CASE_READERS)
def task(task_id: str) -> ResponseReturnValue:
    """Show a task's form (with the user's draft, if any)."""
    session, user = get_session(), page_user()
    detail = task_ops.get_task(session, task_id, user)
    specs = _specs(detail)
    draft = draft_ops.get_draft(session, task_id, user)
    values = draft_values(specs, draft.fields) if draft else defaults(specs) | prefilled(specs, detail.data)
    return _render(detail, display_values(specs, values) if not draft else values, {})


@signin_required(*STAFF)
def submit(task_id: str) -> ResponseReturnValue:
    """Complete the task with the posted form; on errors show them next to the fields, input kept."""
    session, user = get_session(), page_user()
    detail = task_ops.get_task(session, task_id, user)
    specs = _specs(detail)
    data = parse_post(specs, request.form)
    try:
        live = task_ops.complete_task(session, task_id, data, user, now=request_now(), locale=lang())
    except ValidationError as exc:
        session.rollback()
        return _render(detail, data, error_paths(exc.messages, specs), 422)
    except Invalid as exc:
        session.rollback()
        return _render(
            detail, data, error_paths(exc.details or {}, specs) or {"_form": [pick(exc.message)]}, 422
        )
    draft_ops.discard_drafts(session, task_id)
    session.commit()
    flash(_("Done: %(task)s.", task=detail.task.name), "success")
    return redirect(url_for("web.case_next", instance_id=live.row.id))


@signin_required(*STAFF)
def save_draft(task_id: str) -> ResponseReturnValue:
    """Store the form as typed so far (htmx/fetch, while typing)."""
    session = get_session()
    fields = {k: request.form.getlist(k) for k in request.form if k != "csrf_token"}
    draft_ops.save_draft(session, task_id, page_user(), fields)
    session.commit()
    return "", 204


@signin_required(*STAFF)
def upload_evidence(task_id: str) -> ResponseReturnValue:
    """Store one evidence file (photo, video, PDF) for the task; answer with its list item."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_error(422, _("Choose a file to upload."))
    if upload.mimetype not in EVIDENCE_ACCEPT.split(","):
        upload.close()
        return render_error(
            422, _("Only photos (JPEG, PNG, WebP), MP4 videos and PDF files can be uploaded.")
        )
    session, user = get_session(), page_user()
    task_row = task_ops.task_for_action(session, task_id, user)
    try:
        attachment = attachment_ops.store_attachment(
            session,
            task_row,
            upload.stream,
            filename=upload.filename,
            content_type=upload.mimetype,
            user=user,
        )
    finally:
        upload.close()
    session.commit()
    path = request.form.get("field", "")
    return render_template(
        "web/_file_item.html", path=path, info=attachment, attachment_id=attachment.id
    ), 201


@signin_required(*CASE_READERS)
def attachment_file(attachment_id: str) -> ResponseReturnValue:
    """Send an evidence file of a case the user may read."""
    attachment = evidence_ops.visible_attachment(get_session(), attachment_id, page_user())
    path = attachment_ops.blob_path(attachment.sha256)
    if not path.is_file():
        return render_error(404, _("The file is missing from the store."))
    response = send_file(
        path,
        mimetype=attachment.content_type,
        download_name=attachment.filename,
        conditional=True,
        max_age=3600,
    )
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
