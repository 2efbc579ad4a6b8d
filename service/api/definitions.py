"""Deployed process definitions: list, validate, deploy."""

from __future__ import annotations

from flask import current_app, request
from flask.typing import ResponseReturnValue

from ..auth import current_user, login_required, roles_required
from ..db import get_session
from ..errors import Invalid
from ..jsonsafe import to_json_value
from ..operations import deploy as deploy_ops
from ..operations import starting
from ..operations.audit import Actor
from ..schemas import definition_schema
from .common import locale

MAX_FILES = 50


def _uploaded_files() -> dict[str, bytes]:
    uploads = request.files.getlist("files") or list(request.files.values())
    if not uploads:
        raise Invalid("请上传文件（字段 files）/ upload files in the 'files' field", {"files": ["required"]})
    if len(uploads) > MAX_FILES:
        raise Invalid("文件过多 / too many files", {"files": [f"at most {MAX_FILES}"]})
    files = {}
    for upload in uploads:
        try:
            files[upload.filename or "upload"] = upload.read()
        finally:
            upload.close()  # large uploads are spooled to temporary files: close them promptly
    return files


@login_required
def list_definitions() -> ResponseReturnValue:
    """List the newest version of every deployed process."""
    rows = deploy_ops.latest_definitions(get_session())
    return {"items": definition_schema.dump(rows, many=True)}


@login_required
def show(key: str) -> ResponseReturnValue:
    """Describe the newest version of a process: who may start it and its start form (JSON Schema, fields)."""
    option = starting.start_option(get_session(), key, current_app.config.get("STARTER_ROLES", {}))
    lang = locale()
    body = definition_schema.dump(option.definition)
    body["starter_roles"] = list(option.starter_roles)
    body["may_start"] = starting.may_start(option, current_user())
    body["start_form"] = (
        {
            "key": option.form.key,
            "title": option.form.title(lang),
            "json_schema": option.form.json_schema(lang),
            "fields": option.form.field_specs(lang),
        }
        if option.form
        else None
    )
    return to_json_value(body)


@roles_required("process_owner")
def validate() -> ResponseReturnValue:
    """Validate files as a deployment would, storing nothing."""
    definitions = deploy_ops.validate_files(get_session(), _uploaded_files())
    return {"valid": True, "processes": sorted(definitions)}


@roles_required("process_owner")
def deploy() -> ResponseReturnValue:
    """Deploy BPMN, DMN and form files; changed processes get new versions."""
    session = get_session()
    results = deploy_ops.deploy_files(session, _uploaded_files(), Actor.of(current_user(), "process_owner"))
    session.commit()
    items = [
        {**definition_schema.dump(r.row), "created": r.created, "reactivated": r.reactivated} for r in results
    ]
    return {"items": items}, 201 if any(r.created for r in results) else 200
