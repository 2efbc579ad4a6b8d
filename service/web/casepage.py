"""What the case page shows, prepared in Python: labelled data by stage, history, deadlines, parties."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from forms import UnknownForm

from ..models import Attachment, AuditEvent
from ..operations.live_instances import LiveInstance
from ..runtime import LoadedDefinition
from .deadlines import Countdown, countdown, local_time
from .present import role_name

Specs = list[dict[str, Any]]
EVENT_KINDS = {
    "instance_started": _l("Case started"),
    "task_completed": _l("Task completed"),
    "task_claimed": _l("Task taken"),
    "task_unclaimed": _l("Task released"),
    "task_assigned": _l("Task handed over"),
    "attachment_uploaded": _l("Evidence uploaded"),
    "timer_fired": _l("Deadline reached"),
    "timer_failed": _l("Timer failed"),
    "message_received": _l("Message recorded"),
    "message_thrown": _l("Message sent"),
    "instance_cancelled": _l("Case cancelled"),
    "instance_migrated": _l("Moved to another process version"),
    "deadlines_set": _l("Provisional deadlines set"),
    "deadlines_recomputed": _l("Deadlines recomputed on the entered holiday schedule"),
    "deadline_moved_earlier": _l("Deadline moved earlier"),
    "incident_opened": _l("Incident: a step failed"),
    "incident_retried": _l("Incident retried"),
    "incident_failed_again": _l("Incident: the step failed again"),
    "incident_resolved": _l("Incident resolved"),
}
YES_NO = {True: _l("Yes"), False: _l("No")}


@dataclass(frozen=True)
class TaskEntry:
    """The data one completed task added, labelled by its form."""

    seq: int
    task_name: str
    when: str
    who: str
    items: list[tuple[str, str]]
    bpmn_id: str = ""
    # The same task's earlier rounds (a review loop repeats it), newest first, shown folded.
    earlier: list[TaskEntry] = field(default_factory=list)


@dataclass
class StageBlock:
    """The completed tasks of one stage, in order."""

    name: str
    entries: list[TaskEntry] = field(default_factory=list)


@dataclass(frozen=True)
class HistoryItem:
    """One line of the history timeline."""

    seq: int
    when: str
    who: str
    role: str
    what: str
    task_name: str | None
    bpmn_id: str | None
    files: list[str]


@dataclass(frozen=True)
class Deadline:
    """A running deadline: an open task's due time or a timer, with its legal basis (contract 1)."""

    name: str
    kind: str  # "task" | "timer"
    countdown: Countdown | None
    legal_basis: str | None
    provisional: bool
    link: str | None = None
    moved_earlier: bool = False  # an entered holiday schedule moved it to before now


def form_specs(definition: LoadedDefinition, form_key: str | None, lang: str) -> Specs:
    """Return the field specs of one of the case's forms ([] when it has none)."""
    if not form_key:
        return []
    try:
        return definition.forms.get(form_key).field_specs(lang)
    except UnknownForm:
        return []


def labelled(
    definition: LoadedDefinition, names: tuple[str, ...], data: Mapping[str, Any], lang: str
) -> list[tuple[str, str]]:
    """Return case data fields by name, labelled as the first form of the case that asks for them."""
    wanted = set(names)
    specs: dict[str, dict[str, Any]] = {}
    for key in sorted(definition.process.form_keys()):
        for spec in form_specs(definition, key, lang):
            if spec["name"] in wanted:
                specs.setdefault(spec["name"], spec)
    plain = {"type": "string", "choices": [], "repeat": None, "fields": []}
    ordered = [specs.get(name) or {**plain, "name": name, "label": name} for name in names]
    return readable(ordered, data, {})


def readable(specs: Specs, data: Mapping[str, Any], files: Mapping[str, Attachment]) -> list[tuple[str, str]]:
    """Return (label, text) pairs of form data: choices by their labels, groups flattened by row."""
    items: list[tuple[str, str]] = []
    for spec in specs:
        value = data.get(spec["name"])
        if value is None or value in ("", []):
            continue
        if spec["type"] == "group":
            rows = value if spec["repeat"] is not None else [value]
            for number, row in enumerate(rows, 1):
                prefix = (
                    f"{spec['label']} {number} · " if spec["repeat"] is not None else f"{spec['label']} · "
                )
                items.extend((prefix + k, v) for k, v in readable(spec["fields"], row or {}, files))
            continue
        items.append((spec["label"], _text(spec, value, files)))
    return items


def _text(spec: dict[str, Any], value: Any, files: Mapping[str, Attachment]) -> str:
    choices = dict(spec["choices"])
    if spec["type"] == "boolean":
        return str(YES_NO[bool(value)])
    if spec["type"] == "choice":
        return str(choices.get(value, value))
    if spec["type"] == "multichoice":
        return "、".join(str(choices.get(v, v)) for v in value)
    if spec["type"] == "attachment":
        return "、".join(files[v].filename if v in files else str(v) for v in value)
    if spec["type"] == "datetime":
        moment = _moment(value)
        return local_time(moment) if moment else str(value)
    return str(value)


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _stage_names(live: LiveInstance) -> tuple[dict[str, str], dict[str, str | None]]:
    """Return ({scope id: stage name}, {task bpmn id: its form key})."""
    names = {element_id: name for (_scope, element_id), name in live.definition.process.element_names.items()}
    forms = {meta.bpmn_id: meta.form_key for meta in live.definition.process.user_tasks.values()}
    scopes = {meta.bpmn_id: meta.scope for meta in live.definition.process.user_tasks.values()}
    stage_of = {bpmn_id: names.get(scope, "") for bpmn_id, scope in scopes.items()}
    return stage_of, forms


def data_by_stage(
    live: LiveInstance,
    events: list[AuditEvent],
    who: Mapping[str, str],
    files: Mapping[str, Attachment],
    lang: str,
) -> list[StageBlock]:
    """Group the data each completed task submitted by the stage the task belongs to, labelled by its form."""
    stage_of, form_of = _stage_names(live)
    blocks: dict[str, StageBlock] = {}
    for event in events:
        if event.kind != "task_completed" or not event.task_bpmn_id:
            continue
        items = readable(
            form_specs(live.definition, form_of.get(event.task_bpmn_id), lang), event.data or {}, files
        )
        if not items:
            continue
        stage = stage_of.get(event.task_bpmn_id) or live.definition.process.name
        block = blocks.setdefault(stage, StageBlock(stage))
        entry = TaskEntry(
            event.seq,
            event.task_name or "",
            local_time(event.occurred_at),
            who.get(event.actor, event.actor),
            items,
            event.task_bpmn_id,
        )
        block.entries.append(entry)
    return [StageBlock(block.name, _fold_rounds(block.entries)) for block in blocks.values()]


def _fold_rounds(entries: list[TaskEntry]) -> list[TaskEntry]:
    """Keep each task's latest entry in place of its last round; earlier rounds fold under it."""
    rounds: dict[str, list[TaskEntry]] = {}
    for entry in entries:
        rounds.setdefault(entry.bpmn_id, []).append(entry)
    latest = [replace(same[-1], earlier=same[-2::-1]) for same in rounds.values()]
    return sorted(latest, key=lambda entry: entry.seq)


def history(events: list[AuditEvent], who: Mapping[str, str], lang: str) -> list[HistoryItem]:
    """Return the case's audit events as timeline lines with display names, newest last."""
    return [
        HistoryItem(
            seq=event.seq,
            when=local_time(event.occurred_at),
            who=who.get(event.actor, event.actor),
            role=role_name(event.role, lang),
            what=str(EVENT_KINDS.get(event.kind, event.kind)),
            task_name=event.task_name,
            bpmn_id=event.task_bpmn_id,
            files=[str(a.get("filename", "")) for a in (event.attachments or []) if isinstance(a, dict)],
        )
        for event in events
        if event.kind in EVENT_KINDS
    ]


def deadlines(live: LiveInstance, now: datetime, task_link: Any) -> list[Deadline]:
    """Return every running deadline of the case, soonest first (legal basis when the diagram gives one)."""
    found = [
        Deadline(
            name=task.name,
            kind="task",
            countdown=countdown(task.due_at, now, task.warn_at, provisional=task.due_provisional),
            legal_basis=getattr(task, "legal_basis", None),
            provisional=task.due_provisional,
            link=task_link(task.id),
            moved_earlier=task.deadline_moved_earlier,
        )
        for task in live.row.tasks
        if task.due_at is not None
    ]
    found += [
        Deadline(
            name=timer.name,
            kind="timer",
            countdown=countdown(timer.due_at, now, provisional=timer.provisional),
            legal_basis=getattr(timer, "legal_basis", None),
            provisional=timer.provisional,
        )
        for timer in live.row.timers
    ]
    return sorted(found, key=lambda d: d.countdown.due_local if d.countdown else "")


def parties(live: LiveInstance, data: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    """Return the case's party fields (party_*), labelled by the first form that asks for them."""
    labels: dict[str, dict[str, Any]] = {}
    for key in sorted(live.definition.process.form_keys()):
        for spec in form_specs(live.definition, key, lang):
            if spec["name"].startswith("party") and spec["type"] not in ("group", "text", "boolean"):
                labels.setdefault(spec["name"], spec)
    return readable(list(labels.values()), data, {})
