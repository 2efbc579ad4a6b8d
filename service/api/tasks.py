"""Human tasks: inbox, form, assignment, completion, evidence upload."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.typing import ResponseReturnValue

from ..auth import current_user, login_required
from ..db import get_session
from ..errors import Invalid
from ..jsonsafe import to_json_value
from ..operations import attachments as attachment_ops
from ..operations import inbox as inbox_ops
from ..operations import tasks as task_ops
from ..schemas import (
    assign_args,
    attachment_schema,
    complete_task_args,
    list_tasks_args,
    task_schema,
)
from .common import json_body, locale, query_args, request_now
from .instances import dump_live


@login_required
def list_all() -> ResponseReturnValue:
    """List open tasks the caller may act on, with their case fields, filtered and paged with totals."""
    args = query_args(list_tasks_args)
    page, per_page = args.pop("page"), args.pop("per_page")
    session, user, now = get_session(), current_user(), request_now()
    flt = inbox_ops.InboxFilter(**args)
    rows, total, counts = inbox_ops.inbox_view(session, user, flt, now, page=page, per_page=per_page)
    return {
        "items": [_inbox_item(row) for row in rows],
        "total": total,
        "page": page,
        "per_page": per_page,
        "counts": counts,
    }


def _inbox_item(row: inbox_ops.InboxRow) -> dict[str, Any]:
    body: dict[str, Any] = task_schema.dump(row.task)
    summary = row.case.summary or {}
    body["case"] = {
        "id": row.case.id,
        "number": inbox_ops.case_number(row.case),
        "title": inbox_ops.case_title(row.case),
        "process_key": row.case.process_key,
        "stage": row.case.stage,
        "party_name": summary.get("party_name"),
        "address": summary.get("address"),
    }
    body["assignee"] = (
        {"username": row.assignee_username, "display_name": row.assignee_name}
        if row.assignee_username
        else None
    )
    return body


@login_required
def show(task_id: str) -> ResponseReturnValue:
    """Return a task with its form as JSON Schema and the data it sees."""
    detail = task_ops.get_task(get_session(), task_id, current_user())
    lang = locale()
    body = task_schema.dump(detail.task)
    body["form"] = (
        {
            "key": detail.form.key,
            "title": detail.form.title(lang),
            "json_schema": detail.form.json_schema(lang),
            "fields": detail.form.field_specs(lang),
        }
        if detail.form
        else None
    )
    body["data"] = to_json_value(detail.data)
    return body


@login_required
def claim(task_id: str) -> ResponseReturnValue:
    """Claim a task for the caller."""
    session = get_session()
    task = task_ops.claim_task(session, task_id, current_user())
    session.commit()
    return task_schema.dump(task)


@login_required
def unclaim(task_id: str) -> ResponseReturnValue:
    """Release a claimed task."""
    session = get_session()
    task = task_ops.unclaim_task(session, task_id, current_user())
    session.commit()
    return task_schema.dump(task)


@login_required
def assign(task_id: str) -> ResponseReturnValue:
    """Assign a task to a user holding its role."""
    args = json_body(assign_args)
    session = get_session()
    task = task_ops.assign_task(session, task_id, args["username"], current_user())
    session.commit()
    return task_schema.dump(task)


@login_required
def complete(task_id: str) -> ResponseReturnValue:
    """Complete a task with form data; 422 field errors, 403 wrong role, 409 changed meanwhile."""
    args = json_body(complete_task_args)
    session = get_session()
    live = task_ops.complete_task(
        session, task_id, args["data"], current_user(), now=request_now(), locale=locale()
    )
    session.commit()
    return dump_live(live)


@login_required
def upload_attachment(task_id: str) -> ResponseReturnValue:
    """Upload one evidence file for a task → {id, sha256}."""
    upload = request.files.get("file")
    if upload is None:
        raise Invalid("请上传文件（字段 file）/ upload a file in the 'file' field", {"file": ["required"]})
    session = get_session()
    user = current_user()
    task = task_ops.task_for_action(session, task_id, user)
    try:
        attachment = attachment_ops.store_attachment(
            session,
            task,
            upload.stream,
            filename=upload.filename or "upload",
            content_type=upload.mimetype or "application/octet-stream",
            user=user,
        )
    finally:
        upload.close()
    session.commit()
    return attachment_schema.dump(attachment), 201
