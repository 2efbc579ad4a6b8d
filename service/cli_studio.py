"""Studio commands: `zhifa bpmn diff` and `zhifa instances migrate`."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from . import db
from .errors import ServiceError
from .models import ProcessDefinitionRow
from .operations import migration as migration_ops
from .operations import version_diff as diff_ops
from .operations.audit import SYSTEM_ACTOR, Actor
from .operations.version_diff import VersionDiff

__all__ = ["bpmn_diff", "instances_group"]

_MARKS = {"added": "+", "removed": "-", "changed": "~"}


@click.command("diff")
@click.argument("key")
@click.argument("from_version", type=int)
@click.argument("to_version", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON.")
@with_appcontext
def bpmn_diff(key: str, from_version: int, to_version: int, as_json: bool) -> None:
    """Show what changed in process KEY from FROM_VERSION to TO_VERSION."""
    with db.session_scope(current_app) as session:
        try:
            result = diff_ops.version_diff(session, key, from_version, to_version)
        except ServiceError as exc:
            raise click.ClickException(exc.message) from exc
        if as_json:
            click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        else:
            _print_diff(result)


def _print_diff(result: VersionDiff) -> None:
    diff = result.diff
    click.echo(f"{result.key} v{result.old.version} -> v{result.new.version}")
    if diff.empty and not result.forms:
        click.echo("没有差异 / no differences")
    for element in (*diff.added, *diff.removed, *diff.changed):
        click.echo(f"{_MARKS[element.kind]} {element.tag} {element.element_id} {element.name or ''}".rstrip())
        for change in element.changes:
            click.echo(f"    {change.name}: {change.old!r} -> {change.new!r}")
    for flow in diff.rewired:
        click.echo(f"~ flow {flow.flow_id}: {' -> '.join(flow.old)}  =>  {' -> '.join(flow.new)}")
    for form in result.forms:
        click.echo(f"{_MARKS.get(form.kind, '~')} form {form.key}")
        for change in form.fields:
            click.echo(f"    {change.name}: {change.old!r} -> {change.new!r}")


@click.group("instances")
def instances_group() -> None:
    """Running cases: move them between versions of their process."""


@instances_group.command("migrate")
@click.argument("key")
@click.option("--from", "from_version", type=int, required=True, help="The version the cases run on.")
@click.option("--to", "to_version", type=int, help="The version to move them to (default: the newest).")
@click.option("--dry-run", is_flag=True, help="Only report which cases can move and why the others cannot.")
@click.option("--case", "case_ids", type=int, multiple=True, help="Only this case (repeatable).")
@click.option("--by", "username", default=SYSTEM_ACTOR.username, help="Who moves them (audit chain).")
@with_appcontext
def instances_migrate(  # noqa: PLR0913  (click passes each option by name)
    key: str,
    *,
    from_version: int,
    to_version: int | None,
    dry_run: bool,
    case_ids: tuple[int, ...],
    username: str,
) -> None:
    """Move the running cases of process KEY from one version to another, one transaction per case."""
    with db.session_scope(current_app) as session:
        try:
            target_version = to_version or diff_ops.versions(session, key)[-1].version
            source, target = migration_ops.versions_for_move(session, key, from_version, target_version)
        except ServiceError as exc:
            raise click.ClickException(exc.message) from exc
        ids = [i for i in migration_ops.running_case_ids(session, source) if not case_ids or i in case_ids]
        click.echo(f"{key} v{source.version} -> v{target.version}: {len(ids)} running case(s)")
        plans = [
            _move_one(session, instance_id, target, None if dry_run else Actor(username, None), (n, len(ids)))
            for n, instance_id in enumerate(ids, 1)
        ]
    blocked = sum(not p.can_move for p in plans)
    if dry_run:
        click.echo(f"{len(plans) - blocked} can move, {blocked} cannot move (dry run, nothing changed)")
    else:
        click.echo(f"{sum(p.moved for p in plans)} moved, {blocked} cannot move")


def _move_one(
    session: Session,
    instance_id: int,
    target: ProcessDefinitionRow,
    actor: Actor | None,
    progress: tuple[int, int],
) -> migration_ops.CasePlan:
    """Plan (actor None) or move one case, committing a move at once; print its line."""
    if actor is None:
        plan = migration_ops.plan_case(session, instance_id, target)
        state = "can move" if plan.can_move else "cannot move"
    else:
        plan = migration_ops.migrate_case(session, instance_id, target, actor)
        session.commit()  # one case, one transaction
        state = "moved" if plan.moved else "cannot move"
    click.echo(f"[{progress[0]}/{progress[1]}] case {instance_id} {state} (at {', '.join(plan.at)})")
    for reason in plan.reasons:
        click.echo(f"    {reason}")
    return plan
