"""Validate and deploy diagrams, DMN tables and forms as new definition versions."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Set
from dataclasses import dataclass
from pathlib import PurePosixPath

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms import FormDefinitionError, FormRegistry, parse_form
from workflows import BpmnValidationError, Problem, ProcessDefinition, bundle_hash, load_definitions

from ..errors import Invalid
from ..jsonsafe import canonical_json
from ..models import FormDefinitionRow, ProcessDefinitionRow
from ..runtime import get_runtime
from . import versions
from .audit import Actor, record_system_event

DIAGRAM_SUFFIXES = {".bpmn", ".dmn"}
FORM_SUFFIXES = {".yaml", ".yml"}


@dataclass(frozen=True)
class DeployResult:
    """One process after a deployment: its current version, and whether this upload created it or
    made an earlier version with the same content current again (a roll-back)."""

    row: ProcessDefinitionRow
    created: bool
    reactivated: bool = False


def validate_files(session: Session, files: Mapping[str, bytes]) -> dict[str, ProcessDefinition]:
    """Check uploaded files as a deployment would, without storing anything."""
    diagrams, form_texts = _split(files)
    forms, _texts = _form_registry(session, form_texts)
    return _load(session, diagrams, forms, _form_keys(form_texts))


def deploy_files(
    session: Session, files: Mapping[str, bytes], actor: Actor, *, roll_back: bool = True
) -> list[DeployResult]:
    """Deploy files; every process whose content changed gets a new version.

    A process is touched when one of its own files, the files it calls, its DMN tables or its
    forms are uploaded. Content equal to an earlier version makes that version current again,
    unless `roll_back` is False (the demo command must not undo a process owner's deployment).
    """
    diagrams, form_texts = _split(files)
    forms, texts_by_key = _form_registry(session, form_texts)
    uploaded_forms = _form_keys(form_texts)
    definitions = _load(session, diagrams, forms, uploaded_forms)
    results = [
        _store_version(session, definition, texts_by_key, actor, roll_back=roll_back)
        for definition in definitions.values()
        if set(diagrams) & set(definition.files) or uploaded_forms & definition.form_keys()
    ]
    _store_forms(session, form_texts)
    record_system_event(
        session,
        actor,
        "definitions_deployed",
        data={
            "files": {name: hashlib.sha256(content).hexdigest() for name, content in sorted(files.items())},
            "versions": {r.row.key: r.row.version for r in results},
            "reactivated": sorted(r.row.key for r in results if r.reactivated),
        },
    )
    return results


def _form_keys(form_texts: Mapping[str, str]) -> set[str]:
    return {parse_form(text, name).key for name, text in form_texts.items()}


def _split(files: Mapping[str, bytes]) -> tuple[dict[str, str], dict[str, str]]:
    diagrams: dict[str, str] = {}
    forms: dict[str, str] = {}
    problems = []
    for raw_name, content in files.items():
        name = PurePosixPath(raw_name).name
        suffix = PurePosixPath(name).suffix.lower()
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(Problem("file is not UTF-8 text", name))
            continue
        if suffix in DIAGRAM_SUFFIXES:
            diagrams[name] = text
        elif suffix in FORM_SUFFIXES:
            forms[name] = text
        else:
            problems.append(Problem("only .bpmn, .dmn and .yaml form files can be deployed", name))
    if problems:
        raise BpmnValidationError(problems)
    if not diagrams and not forms:
        raise Invalid("没有上传文件 / no files uploaded", {"files": ["required"]})
    return diagrams, forms


def form_texts(session: Session) -> tuple[set[str], dict[str, str]]:
    """Return the form keys a deployment can use now, and their YAML texts."""
    _registry, texts = _form_registry(session, {})
    return set(texts), texts


def _form_registry(session: Session, uploaded: Mapping[str, str]) -> tuple[FormRegistry, dict[str, str]]:
    """Resolve forms: uploaded files win over earlier deployments, which win over the built-in library."""
    texts = dict(get_runtime().base_form_texts)
    texts.update({row.key: row.text for row in _latest_forms(session)})
    problems = []
    for name, text in uploaded.items():
        try:
            texts[parse_form(text, name).key] = text
        except FormDefinitionError as exc:
            problems.append(Problem(exc.message, name, exc.line))
    if problems:
        raise BpmnValidationError(problems)
    registry = FormRegistry().with_overrides({f"{key}.yaml": text for key, text in texts.items()})
    return registry, texts


def _load(
    session: Session, diagrams: Mapping[str, str], forms: FormRegistry, uploaded_forms: Set[str] = frozenset()
) -> dict[str, ProcessDefinition]:
    # Called processes may live in earlier deployments: load the upload over the latest deployed files.
    existing: dict[str, str] = {}
    for row in versions.current_versions(session):
        existing.update(row.files)
    roles = set(current_app.config["ROLES"])
    definitions = load_definitions(
        {**existing, **diagrams},
        form_exists=lambda key: key in forms,
        role_exists=lambda role: role in roles,
        form_fields=lambda key: _field_names(forms, key),
        check_names_of=lambda d: bool(set(diagrams) & set(d.files) or uploaded_forms & d.form_keys()),
    )
    _check_number_series(definitions)
    return definitions


def _field_names(forms: FormRegistry, key: str) -> set[str] | None:
    """Return the names a form puts into the case data (None for an unknown form)."""
    return {f.name for f in forms.get(key).definition.fields} if key in forms else None


def _check_number_series(definitions: Mapping[str, ProcessDefinition]) -> None:
    series = get_runtime().numbering.series
    problems = [
        Problem(
            f"number series '{name}' is not configured in numbering.yaml",
            task.file_name,
            task.line,
            task.bpmn_id,
            task.name,
        )
        for definition in definitions.values()
        for task in definition.user_tasks.values()
        for name in task.assign_numbers.values()
        if name not in series
    ]
    if problems:
        raise BpmnValidationError(problems)


def _store_version(
    session: Session,
    definition: ProcessDefinition,
    form_texts: Mapping[str, str],
    actor: Actor,
    *,
    roll_back: bool,
) -> DeployResult:
    pinned_forms = {key: form_texts[key] for key in sorted(definition.form_keys())}
    content_hash = _version_hash(definition, pinned_forms)
    current = versions.current_version(session, definition.process_id)
    if current is not None and current.content_hash == content_hash:
        return DeployResult(current, created=False)
    earlier = _version_with_hash(session, definition.process_id, content_hash)
    if earlier is not None:
        if not roll_back and current is not None:
            return DeployResult(current, created=False)
        versions.activate(session, earlier, actor, reason="deployed content equal to this version")
        return DeployResult(earlier, created=False, reactivated=True)
    row = ProcessDefinitionRow(
        key=definition.process_id,
        name=definition.name,
        version=_next_version_number(session, definition.process_id),
        content_hash=content_hash,
        files=dict(definition.files),
        forms=pinned_forms,
        deployed_by_id=actor.user_id,
        activation=versions.next_activation(session, definition.process_id),
    )
    session.add(row)
    session.flush()  # the id is needed by the caller's response and the audit record
    return DeployResult(row, created=True)


def _version_with_hash(session: Session, key: str, content_hash: str) -> ProcessDefinitionRow | None:
    return session.scalars(
        select(ProcessDefinitionRow).where(
            ProcessDefinitionRow.key == key, ProcessDefinitionRow.content_hash == content_hash
        )
    ).first()


def _next_version_number(session: Session, key: str) -> int:
    latest = session.scalar(
        select(func.max(ProcessDefinitionRow.version)).where(ProcessDefinitionRow.key == key)
    )
    return (latest or 0) + 1


def _version_hash(definition: ProcessDefinition, pinned_forms: Mapping[str, str]) -> str:
    digest = hashlib.sha256(bundle_hash(definition.files).encode())
    digest.update(canonical_json(pinned_forms).encode())
    return digest.hexdigest()


def _store_forms(session: Session, uploaded: Mapping[str, str]) -> None:
    for name, text in uploaded.items():
        key = parse_form(text, name).key
        content_hash = hashlib.sha256(text.encode()).hexdigest()
        rows = session.scalars(select(FormDefinitionRow).where(FormDefinitionRow.key == key)).all()
        newest = max((r.version for r in rows), default=0)
        same = next((r for r in rows if r.content_hash == content_hash), None)
        if same is None:
            session.add(FormDefinitionRow(key=key, version=newest + 1, content_hash=content_hash, text=text))
        elif same.version != newest:
            same.version = newest + 1  # an earlier text deployed again is the one later deployments pin


def _latest_forms(session: Session) -> list[FormDefinitionRow]:
    latest = (
        select(FormDefinitionRow.key, func.max(FormDefinitionRow.version).label("version"))
        .group_by(FormDefinitionRow.key)
        .subquery()
    )
    return list(
        session.scalars(
            select(FormDefinitionRow).join(
                latest,
                (FormDefinitionRow.key == latest.c.key) & (FormDefinitionRow.version == latest.c.version),
            )
        )
    )


def latest_definitions(session: Session) -> list[ProcessDefinitionRow]:
    """Return the current version of every deployed process, by key."""
    return versions.current_versions(session)


def latest_definition(session: Session, key: str) -> ProcessDefinitionRow | None:
    """Return the current version of one process (new cases start on it)."""
    return versions.current_version(session, key)
