"""Deadlines that rest on a provisional calendar year: marking them, and recomputing them later.

A deadline is provisional when computing it consulted a year whose holiday schedule is not
published yet (`workcalendar.record_provisional`). Three places compute deadlines:

- a user task's `dueDate` expression, evaluated when the task opens (`stamp_due`);
- a timer's expression, evaluated by SpiffWorkflow when the timer starts waiting;
- a script that stores a deadline in the case data (`publish_due_on = add_workdays(...)`), which a
  later `dueDate` or timer only reads.

For the third, the script engine below keeps a ledger in the task data (`LEDGER_KEY`, a name that
scripts cannot reach) of each field a script set while it consulted a provisional year: which
script task set it, when, and the value. Any later expression that reads a field still holding
that value is provisional too. When a schedule is entered, `recompute` replays those scripts on
their original input with the clock frozen at the instant they first ran, puts the new values
where the old ones still stand, then re-evaluates each provisional `dueDate` and timer the same way.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition, TimerEventDefinition
from SpiffWorkflow.task import Task as SpiffTask

from . import clock
from .compaction import trim_grown_lists
from .errors import ScriptError
from .plain_copy import copy_plain
from .sandbox import SandboxEnvironment, SandboxScriptEngine
from .workcalendar import record_provisional

LEDGER_KEY = "_zhifa_provisional"  # in task data: {field: {"value", "by", "at"}}
TIMER_KEY = "zhifa_timer"  # in a timer task's internal data: {"provisional", "at"}
DUE_KEY = "zhifa_due_at"
WARN_KEY = "zhifa_warn_at"
DUE_PROVISIONAL_KEY = "zhifa_due_provisional"
DUE_COMPUTED_KEY = "zhifa_due_computed_at"  # the engine clock when dueDate was first evaluated
MOVED_EARLIER_KEY = "zhifa_due_moved_earlier"


@dataclass(frozen=True)
class DeadlineChange:
    """A deadline that recomputing moved: a user task's due time or a timer's."""

    kind: str  # "task" or "timer"
    task_id: str
    bpmn_id: str
    name: str
    old: datetime
    new: datetime
    provisional: bool  # still provisional afterwards (it also crosses a later unpublished year)

    @property
    def moved_earlier(self) -> bool:
        """Return whether the deadline came forward."""
        return self.new < self.old


class DeadlineScriptEngine(SandboxScriptEngine):  # type: ignore[misc]
    """The sandboxed script engine, noting which scripts and timers consulted a provisional year."""

    def execute(
        self, task: SpiffTask, script: str, external_context: Mapping[str, Any] | None = None
    ) -> bool:
        """Run a script; record the fields it set if it consulted a provisional year or value."""
        before = dict(task.data)
        with record_provisional() as years:
            result: bool = super().execute(task, script, external_context)
        provisional = bool(years) or reads_provisional(before, script)
        _update_ledger(task, before, provisional)
        trim_grown_lists(task.data, before)  # long cases: a running list keeps its recent entries
        return result

    def evaluate(
        self, task: SpiffTask, expression: str, external_context: Mapping[str, Any] | None = None
    ) -> Any:
        """Evaluate an expression; when it sets a timer, note whether that timer is provisional."""
        if not _starts_timer(task):
            return super().evaluate(task, expression, external_context)
        with record_provisional() as years:
            value = super().evaluate(task, expression, external_context)
        task.internal_data[TIMER_KEY] = {
            "provisional": bool(years) or reads_provisional(task.data, expression),
            "at": clock.now().isoformat(),
        }
        return value


def make_deadline_script_engine(helpers: Mapping[str, object]) -> DeadlineScriptEngine:
    """Return the script engine instances run with: sandboxed, and recording provisional deadlines."""
    return DeadlineScriptEngine(environment=SandboxEnvironment(helpers))


def reads_provisional(data: Mapping[str, Any], source: str) -> bool:
    """Return whether `source` reads a field that still holds a provisionally computed value."""
    ledger = data.get(LEDGER_KEY)
    if not ledger:
        return False
    return any(_still_holds(data, name, ledger.get(name)) for name in _names_read(source))


def public_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return task data without the ledger (it is bookkeeping, not case data)."""
    return {k: v for k, v in data.items() if k != LEDGER_KEY}


def has_provisional(tasks: Iterable[SpiffTask]) -> bool:
    """Return whether any of these tasks holds a provisional due time, timer or data value."""
    for task in tasks:
        if task.internal_data.get(DUE_PROVISIONAL_KEY) or task.internal_data.get(TIMER_KEY, {}).get(
            "provisional"
        ):
            return True
        ledger = task.data.get(LEDGER_KEY) or {}
        if any(_still_holds(task.data, name, entry) for name, entry in ledger.items()):
            return True
    return False


def timer_provisional(task: SpiffTask) -> bool:
    """Return whether a waiting timer's due time rests on a provisional year."""
    return bool(task.internal_data.get(TIMER_KEY, {}).get("provisional"))


def stamp_due(task: SpiffTask, workflow: BpmnWorkflow, expression: str) -> datetime:
    """Evaluate a user task's dueDate and store it with its provisional mark and the clock it used."""
    with record_provisional() as years:
        value = workflow.script_engine.evaluate(task, expression)
    try:
        due = to_instant(value)
        due.astimezone(UTC)  # year 1 or 9999 in China time has no UTC instant: refuse it here
    except (ValueError, TypeError, OverflowError) as exc:
        raise ScriptError(
            f"dueDate {expression!r} gave {value!r}: {exc}", task.task_spec.bpmn_id, task.task_spec.bpmn_name
        ) from None
    task.internal_data[DUE_KEY] = due.isoformat()
    task.internal_data[DUE_PROVISIONAL_KEY] = bool(years) or reads_provisional(task.data, expression)
    task.internal_data[DUE_COMPUTED_KEY] = clock.now().isoformat()
    return due


def to_instant(value: object) -> datetime:
    """Interpret a due value: a date means the end of that day in China; text may be ISO."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=clock.CHINA_TZ)
    if isinstance(value, date):
        return datetime.combine(value, time(23, 59, 59), clock.CHINA_TZ)
    raise ValueError(f"a due date must be a date or datetime, got {value!r}")


def replay_scripts(workflow: BpmnWorkflow, active: list[SpiffTask]) -> None:
    """Re-run the scripts behind provisional data values and put the new values where the old still stand."""
    holders: dict[str, list[tuple[SpiffTask, str]]] = {}
    for task in active:
        for name, entry in (task.data.get(LEDGER_KEY) or {}).items():
            if _still_holds(task.data, name, entry):
                holders.setdefault(entry["by"], []).append((task, name))
    scripts = [t for t in (_find_task(workflow, by) for by in holders) if t is not None]
    chain: dict[str, tuple[Any, Any]] = {}  # field -> (value a replayed script first gave, value now)
    for script_task in sorted(scripts, key=lambda t: t.last_state_change):
        outputs, provisional, at = _replay(workflow, script_task, chain)
        if outputs is None:
            continue  # the script no longer runs on its input: leave its values as they are
        for name, value in outputs.items():
            if name != LEDGER_KEY and script_task.data.get(name) != value:
                chain[name] = (script_task.data.get(name), value)
        for task, name in holders[str(script_task.id)]:
            _set_value(task, name, outputs.get(name), str(script_task.id), at if provisional else None)


def timer_expression(task: SpiffTask) -> str | None:
    """Return the expression of the date timer a task waits on, if any."""
    definition = getattr(task.task_spec, "event_definition", None)
    candidates = (
        definition.event_definitions if isinstance(definition, MultipleEventDefinition) else [definition]
    )
    for candidate in candidates:
        if isinstance(candidate, TimeDateEventDefinition):
            expression: str = candidate.expression
            return expression
    return None


def _replay(
    workflow: BpmnWorkflow, script_task: SpiffTask, chain: Mapping[str, tuple[Any, Any]]
) -> tuple[dict[str, Any] | None, bool, str]:
    """Run a script task's script again on its parent's data (with earlier replays applied)."""
    ledger = script_task.data.get(LEDGER_KEY) or {}
    at = next(
        (e["at"] for e in ledger.values() if e.get("by") == str(script_task.id)), clock.now().isoformat()
    )
    context = copy_plain(script_task.parent.data) if script_task.parent is not None else {}
    for name, (first, now_value) in chain.items():
        if context.get(name) == first:
            context[name] = now_value
    environment = workflow.script_engine.environment
    try:
        with clock.frozen_at(datetime.fromisoformat(at)), record_provisional() as years:
            environment.execute(script_task.task_spec.script, context, {})
    except Exception:  # noqa: BLE001  (a replay that fails must not stop the others; values stay)
        return None, False, at
    return context, bool(years), at


def _set_value(task: SpiffTask, name: str, value: Any, by: str, at: str | None) -> None:
    task.data[name] = value
    ledger = dict(task.data.get(LEDGER_KEY) or {})
    if at is None:
        ledger.pop(name, None)
    else:
        ledger[name] = {"value": value, "by": by, "at": at}
    task.data[LEDGER_KEY] = ledger


def _update_ledger(task: SpiffTask, before: Mapping[str, Any], provisional: bool) -> None:
    """Record (or clear) the fields a script just set, by whether it consulted a provisional year."""
    changed = [k for k, v in task.data.items() if k != LEDGER_KEY and before.get(k, _MISSING) != v]
    ledger = dict(task.data.get(LEDGER_KEY) or {})
    for name in changed:
        if provisional:
            ledger[name] = {"value": task.data[name], "by": str(task.id), "at": clock.now().isoformat()}
        else:
            ledger.pop(name, None)
    if ledger:
        task.data[LEDGER_KEY] = ledger
    else:
        task.data.pop(LEDGER_KEY, None)


def _still_holds(data: Mapping[str, Any], name: str, entry: Any) -> bool:
    return isinstance(entry, dict) and name in data and data[name] == entry.get("value")


def _starts_timer(task: SpiffTask) -> bool:
    """Return whether an evaluation on this task computes the due time of a timer it starts waiting on."""
    if "event_value" in task.internal_data:
        return False
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        return any(isinstance(d, TimerEventDefinition) for d in definition.event_definitions)
    return isinstance(definition, TimerEventDefinition)


def _find_task(workflow: BpmnWorkflow, task_id: str) -> SpiffTask | None:
    key = UUID(task_id)
    for holder in (workflow, *workflow.subprocesses.values()):
        task: SpiffTask | None = holder.tasks.get(key)
        if task is not None:
            return task
    return None


@functools.lru_cache(maxsize=2048)
def _names_read(source: str) -> frozenset[str]:
    try:
        tree = ast.parse(source.strip())
    except SyntaxError:
        return frozenset()
    return frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))


_MISSING = object()
