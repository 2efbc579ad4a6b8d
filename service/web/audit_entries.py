"""The record page's entries: each audit event told in words, with labelled data, diff, files, deadline."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from workflows import CHINA_TZ

from ..db import as_utc
from ..models import Attachment, AuditEvent
from ..runtime import LoadedDefinition, get_runtime
from .casepage import EVENT_KINDS, form_specs, readable
from .deadlines import local_time
from .present import role_name

KIND_NAMES = EVENT_KINDS  # one table of event names for the case page and the record


@dataclass(frozen=True)
class FileRef:
    """A document or evidence file an event names, with its SHA-256."""

    id: str | None
    filename: str
    sha256: str
    size: int | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class DeadlineCheck:
    """Whether the completed task met its deadline, and by how many working days it missed it."""

    due: str
    met: bool
    late_workdays: int = 0


@dataclass
class Entry:
    """One event of the record, ready for the page and the PDF."""

    seq: int
    kind: str
    kind_name: str
    when: str
    who: str
    role: str
    what: str
    items: list[tuple[str, str]] = field(default_factory=list)
    diff: list[tuple[str, str, str]] = field(default_factory=list)  # (label, before, after)
    files: list[FileRef] = field(default_factory=list)
    deadline: DeadlineCheck | None = None
    has_diagram: bool = False


def describe(
    event: AuditEvent,
    definition: LoadedDefinition,
    *,
    names: Mapping[str, str],
    files: Mapping[str, Attachment],
    open_before: Mapping[str, Any],
    lang: str,
) -> Entry:
    """Return the record entry of one event."""
    form_key = _form_key(definition, event.task_bpmn_id)
    specs = form_specs(definition, form_key, lang)
    entry = Entry(
        seq=event.seq,
        kind=event.kind,
        kind_name=str(KIND_NAMES.get(event.kind, event.kind)),
        when=local_time(event.occurred_at),
        who=names.get(event.actor, event.actor) if event.actor != "system" else _("System"),
        role=role_name(event.role, lang),
        what=_what(event, definition, form_key, names, lang),
        files=_files(event, files),
    )
    data = event.data if isinstance(event.data, dict) else {}
    if event.kind == "task_completed":
        entry.items = readable(specs, data, files)
        entry.deadline = _deadline(event, open_before)
    elif event.kind == "instance_started":
        start = data.get("start_data")
        entry.items = [(k, _plain(v)) for k, v in start.items()] if isinstance(start, dict) else []
    else:
        entry.items = [(str(k), _plain(v)) for k, v in data.items()]
    entry.diff = _diff(event.diff, _labels(definition, lang))
    return entry


def _form_key(definition: LoadedDefinition, bpmn_id: str | None) -> str | None:
    if not bpmn_id:
        return None
    for meta in definition.process.user_tasks.values():
        if meta.bpmn_id == bpmn_id:
            return meta.form_key
    return None


def _what(
    event: AuditEvent, definition: LoadedDefinition, form_key: str | None, names: Mapping[str, str], lang: str
) -> str:
    task = event.task_name or event.task_bpmn_id or ""
    data = event.data if isinstance(event.data, dict) else {}
    if event.kind == "task_completed":
        title = _form_title(definition, form_key, lang)
        if title:
            return _("%(task)s: submitted 《%(form)s》", task=task, form=title)
        return _("Completed %(task)s", task=task)
    holder = names.get(str(data.get("assignee")), str(data.get("assignee") or ""))
    sentences = {
        "instance_started": lambda: _("Started %(process)s", process=definition.process.name),
        "task_claimed": lambda: _("%(task)s now held by %(who)s", task=task, who=holder),
        "task_assigned": lambda: _("%(task)s now held by %(who)s", task=task, who=holder),
        "task_unclaimed": lambda: _("%(task)s released", task=task),
        "timer_fired": lambda: _(
            "Timer %(name)s fired (due %(due)s)", name=task, due=_time_text(data.get("due_at"))
        ),
        "attachment_uploaded": lambda: _("File uploaded for %(task)s", task=task),
    }
    sentence = sentences.get(event.kind)
    if sentence is not None:
        return str(sentence())
    return str(KIND_NAMES.get(event.kind, event.kind)) + (f" · {task}" if task else "")


def _form_title(definition: LoadedDefinition, form_key: str | None, lang: str) -> str:
    if not form_key:
        return ""
    try:
        return definition.forms.get(form_key).title(lang)
    except Exception:  # noqa: BLE001  (a form the registry no longer knows is shown without its title)
        return ""


def _labels(definition: LoadedDefinition, lang: str) -> dict[str, str]:
    """Return {field name: label} over every form of the case (the diff names fields by label)."""
    labels: dict[str, str] = {}
    for key in sorted(definition.process.form_keys()):
        for spec in form_specs(definition, key, lang):
            labels.setdefault(spec["name"], str(spec["label"]))
    return labels


def _diff(diff: Any, labels: Mapping[str, str]) -> list[tuple[str, str, str]]:
    if not isinstance(diff, dict):
        return []
    rows = [(k, "", _plain(v)) for k, v in (diff.get("added") or {}).items()]
    rows += [
        (k, _plain(v.get("old")), _plain(v.get("new")))
        for k, v in (diff.get("changed") or {}).items()
        if isinstance(v, dict)
    ]
    rows += [(str(k), "…", "") for k in diff.get("removed") or []]
    return sorted((labels.get(k, k), old, new) for k, old, new in rows)


def _plain(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list | dict):
        text = str(value)
        return text if len(text) <= 300 else text[:300] + "…"
    return str(value)


def _files(event: AuditEvent, files: Mapping[str, Attachment]) -> list[FileRef]:
    found = []
    for ref in event.attachments or []:
        if not isinstance(ref, dict):
            continue
        stored = files.get(str(ref.get("id")))
        found.append(
            FileRef(
                id=stored.id if stored else None,
                filename=str(ref.get("filename") or ""),
                sha256=str(ref.get("sha256") or ""),
                size=stored.size if stored else None,
                content_type=stored.content_type if stored else None,
            )
        )
    return found


def _time_text(value: Any) -> str:
    moment = _moment(value)
    return local_time(moment) if moment else str(value or "")


def _moment(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _deadline(event: AuditEvent, open_before: Mapping[str, Any]) -> DeadlineCheck | None:
    task = open_before.get(event.task_id or "")
    due = _moment(task.get("due_at")) if isinstance(task, dict) else None
    if due is None:
        return None
    done = as_utc(event.occurred_at)
    if done <= due:
        return DeadlineCheck(local_time(due), True)
    calendar = get_runtime().engine.calendar
    late = calendar.workdays_between(due.astimezone(CHINA_TZ).date(), done.astimezone(CHINA_TZ).date())
    return DeadlineCheck(local_time(due), False, max(late, 0))
