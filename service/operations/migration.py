"""Move running cases of a process from one deployed version to another.

`plan_cases` is the dry run: per case, where it stands and why it cannot move. `migrate_case`
moves one case (one transaction: the caller commits after each case, so a long run shows
progress and a failure stops at one case) and records `instance_migrated` in its audit chain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms import FormRegistry
from workflows import Blocker, UserTaskView, migrate_instance, plan_migration

from ..errors import Invalid
from ..models import ProcessDefinitionRow, ProcessInstance
from ..models.instances import InstanceStatusColumn
from ..runtime import LoadedDefinition, get_runtime
from .audit import Actor, record_instance_event
from .live_instances import LiveInstance, load_live, save
from .messages import route_messages
from .version_diff import version_row

_REASONS: dict[str, Callable[[Blocker], str]] = {
    "task_removed": lambda b: (
        f"新版本没有环节「{b.element_name}」({b.element_id}) / "
        f"step '{b.element_id}' does not exist in the target version"
    ),
    "kind_changed": lambda b: (
        f"环节「{b.element_name}」类型已改变（{b.detail}） / "
        f"step '{b.element_id}' changed its kind ({b.detail})"
    ),
    "form_changed": lambda b: (
        f"环节「{b.element_name}」的表单不兼容（新增必填字段或表单缺失）：{b.detail} / "
        f"the form of step '{b.element_id}' is not compatible (new required fields or no form): {b.detail}"
    ),
    "subprocess_removed": lambda b: (
        f"新版本没有子流程 {b.element_id} / sub-process '{b.element_id}' does not exist in the target version"
    ),
    "incident": lambda b: (
        f"环节「{b.element_name}」有未处理的故障 / step '{b.element_id}' has an open incident"
    ),
    "not_running": lambda _b: "案件已结束 / the case is not running",
    "trial_failed": lambda b: f"试迁移未通过（{b.detail}） / a trial move failed ({b.detail})",
}


FormCheck = Callable[[str | None, str | None], str | None]


@dataclass
class CasePlan:
    """One case in a dry run or a migration: where it is, whether it can move, and whether it moved."""

    instance_id: int
    title: str
    at: list[str]
    reasons: list[str]
    moved: bool = False
    codes: list[str] = field(default_factory=list)

    @property
    def can_move(self) -> bool:
        """Tell whether nothing blocks the move."""
        return not self.reasons


def running_case_ids(session: Session, source: ProcessDefinitionRow) -> list[int]:
    """Return the running cases pinned to a version, oldest first."""
    return list(
        session.scalars(
            select(ProcessInstance.id)
            .where(
                ProcessInstance.definition_id == source.id,
                ProcessInstance.status == InstanceStatusColumn.RUNNING,
            )
            .order_by(ProcessInstance.id)
        )
    )


def versions_for_move(
    session: Session, key: str, from_version: int, to_version: int
) -> tuple[ProcessDefinitionRow, ProcessDefinitionRow]:
    """Return the source and target versions; 422 when they are the same."""
    if from_version == to_version:
        raise Invalid(
            "源版本与目标版本相同 / from and to are the same version", {"to": ["must differ from 'from'"]}
        )
    return version_row(session, key, from_version, "from"), version_row(session, key, to_version, "to")


def plan_case(session: Session, instance_id: int, target: ProcessDefinitionRow) -> CasePlan:
    """Tell whether one case can move to `target`, changing nothing."""
    live = load_live(session, instance_id)
    return _plan(live, get_runtime().loaded(target))


def _plan(live: LiveInstance, goal: LoadedDefinition) -> CasePlan:
    plan = plan_migration(live.engine, goal.process, form_check(live.definition, goal))
    return CasePlan(
        live.row.id,
        live.row.title,
        list(plan.at),
        [_REASONS[b.code](b) for b in plan.blockers],
        codes=[b.code for b in plan.blockers],
    )


def migrate_case(
    session: Session,
    instance_id: int,
    target: ProcessDefinitionRow,
    actor: Actor,
    now: datetime | None = None,
) -> CasePlan:
    """Move one case to `target` if it can, recording it; return its plan with `moved` set."""
    live = load_live(session, instance_id, for_update=True)
    goal = get_runtime().loaded(target)
    result = _plan(live, goal)
    if not result.can_move:
        return result
    source_version = live.definition.version
    live.engine = migrate_instance(live.engine, goal.process, now)
    live.definition = goal
    live.row.definition_id = target.id
    save(session, live)
    _refresh_task_rows(live.row, live.engine.open_tasks())
    route_messages(session, live, actor, now)  # settling on the new diagram may throw a message
    record_instance_event(
        session,
        live.row,
        actor,
        "instance_migrated",
        data={"from_version": source_version, "to_version": target.version, "at": result.at},
    )
    result.moved = True
    return result


def _refresh_task_rows(row: ProcessInstance, views: list[UserTaskView]) -> None:
    """Open tasks keep their rows (and claims); names, roles and forms now come from the new version."""
    by_id = {view.id: view for view in views}
    for task in row.tasks:
        view = by_id.get(task.id)
        if view is not None:
            task.name, task.role, task.form_key = view.name, view.role, view.form_key
            task.legal_basis = view.legal_basis


def form_check(
    source: LoadedDefinition, target: LoadedDefinition
) -> Callable[[str | None, str | None], str | None]:
    """Return the check of an open task's form: the new form must not ask for fields the old did not."""

    def check(old_key: str | None, new_key: str | None) -> str | None:
        if old_key == new_key and _text(source.forms, old_key) == _text(target.forms, new_key):
            return None
        if new_key is None or new_key not in target.forms:
            return f"{old_key} → {new_key}"
        old_fields = _field_names(source.forms, old_key)
        added = sorted(_required_fields(target.forms, new_key) - old_fields)
        if added:
            return f"{old_key} → {new_key}: +{', +'.join(added)}"
        return None

    return check


def _text(forms: FormRegistry, key: str | None) -> str | None:
    return forms.content_hash(key) if key and key in forms else None


def _field_names(forms: FormRegistry, key: str | None) -> set[str]:
    if not key or key not in forms:
        return set()
    return {f.name for f in forms.get(key).definition.fields}


def _required_fields(forms: FormRegistry, key: str) -> set[str]:
    return {f.name for f in forms.get(key).definition.fields if f.required}
