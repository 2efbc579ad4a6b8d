"""流程建模 (studio modeler): bpmn-js and dmn-js pages that validate on save and deploy from the page."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from workflows import BpmnValidationError, helper_names

from ..db import get_session
from ..errors import Invalid, NotFound
from ..operations import deploy as deploy_ops
from ..operations import versions as version_ops
from ..operations.audit import Actor
from ..runtime import get_runtime
from ..schemas import definition_schema
from .session import page_user, signin_required
from .studio import OWNERS

# bpmn-js and dmn-js set style attributes from script (palette, popups, overlays); scripts stay 'self'.
MODELER_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
_PROCESS_KEY = re.compile(r"^[a-z][a-z0-9_]{1,60}$")
MAX_FILES = 50
NEW_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:di="http://www.omg.org/spec/DD/20100524/DI" \
xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="{key}_definitions" \
targetNamespace="http://zhifa.example/bpmn">
  <bpmn:process id="{key}" name="{name}" isExecutable="true">
    <bpmn:startEvent id="start_{key}" name="开始" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="{key}_diagram">
    <bpmndi:BPMNPlane id="{key}_plane" bpmnElement="{key}">
      <bpmndi:BPMNShape id="start_{key}_di" bpmnElement="start_{key}">
        <dc:Bounds x="180" y="160" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def _known_values() -> dict[str, Any]:
    """What the side panel offers: form keys, roles, helper names, number series."""
    session = get_session()
    forms, _texts = deploy_ops.form_texts(session)
    return {
        "forms": sorted(forms),
        "roles": list(current_app.config["ROLES"]),
        "helpers": sorted(helper_names() - {"True", "False", "None"}),
        "series": sorted(get_runtime().numbering.series),
    }


def _page(key: str, name: str, files: dict[str, str], version: int | None) -> ResponseReturnValue:
    body = render_template(
        "studio/modeler.html",
        key=key,
        name=name,
        version=version,
        studio_data={"key": key, "files": files, "known": _known_values(), "version": version},
    )
    return body, 200, {"Content-Security-Policy": MODELER_CSP}


@signin_required(*OWNERS)
def modeler(key: str) -> ResponseReturnValue:
    """Open the current version of a process (its own diagram and its decision tables) for editing."""
    row = version_ops.current_version(get_session(), key)
    if row is None:
        raise NotFound(_("No such process."))
    return _page(key, row.name, dict(sorted(row.files.items())), row.version)


@signin_required(*OWNERS)
def new_process() -> ResponseReturnValue:
    """Start a new process from a blank diagram (key from the query, checked as a process id)."""
    key = request.args.get("key", "").strip()
    if not _PROCESS_KEY.match(key):
        raise Invalid(
            _("Give the new process a key of lower-case letters, digits and _."), {"key": ["invalid"]}
        )
    if version_ops.current_version(get_session(), key) is not None:
        raise Invalid(_("A process with this key exists; open it instead."), {"key": ["exists"]})
    name = request.args.get("name", "").strip()[:100] or key
    return _page(key, name, {f"{key}.bpmn": NEW_PROCESS.format(key=key, name=_xml_attr(name))}, None)


def _xml_attr(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def _posted_files() -> dict[str, bytes]:
    body = request.get_json(silent=True)
    files = body.get("files") if isinstance(body, dict) else None
    if not isinstance(files, dict) or not files or len(files) > MAX_FILES:
        raise Invalid(_("Send the files to check as {name: text}."), {"files": ["required"]})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        raise Invalid(_("Send the files to check as {name: text}."), {"files": ["not text"]})
    return {name: text.encode("utf-8") for name, text in files.items()}


def _problems(exc: BpmnValidationError) -> ResponseReturnValue:
    return {"valid": False, "problems": [p.as_dict() for p in exc.problems]}, 422


@signin_required(*OWNERS)
def validate() -> ResponseReturnValue:
    """Validate the edited files as a deployment would; problems come back located on elements."""
    try:
        processes = deploy_ops.validate_files(get_session(), _posted_files())
    except BpmnValidationError as exc:
        return _problems(exc)
    return {"valid": True, "problems": [], "processes": sorted(processes)}


@signin_required(*OWNERS)
def deploy() -> ResponseReturnValue:
    """Deploy the edited files: processes they change get a new version (or an equal older one again)."""
    session = get_session()
    try:
        results = deploy_ops.deploy_files(session, _posted_files(), Actor.of(page_user(), "process_owner"))
    except BpmnValidationError as exc:
        session.rollback()
        return _problems(exc)
    session.commit()
    items = [
        {**definition_schema.dump(r.row), "created": r.created, "reactivated": r.reactivated} for r in results
    ]
    return {"valid": True, "items": items}


RULES = [
    ("/studio/new", new_process, ["GET"]),
    ("/studio/<key>/edit", modeler, ["GET"]),
    ("/studio/validate", validate, ["POST"]),
    ("/studio/deploy", deploy, ["POST"]),
]
