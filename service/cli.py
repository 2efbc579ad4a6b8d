"""The `zhifa` command: run, db, bpmn validate/deploy, timers, incidents, calendar, audit, demo."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
import yaml
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from workflows import CHINA_TZ, BpmnValidationError
from workflows.calendar_schedule import parse_year_document

from . import create_app, db
from .cli_lanes import lanes_command
from .cli_operations import attachments_group, incidents_group, run_due_timers_counts, timers_group
from .cli_studio import bpmn_diff, instances_group
from .cli_versions import activate_command, versions_command
from .errors import Invalid
from .migrate import upgrade_database
from .models import InstanceTimer, ProcessInstance
from .models.instances import InstanceStatusColumn
from .operations import audit_checkpoint
from .operations import audit_verify as audit_verify_ops
from .operations import calendar as calendar_ops
from .operations import case_file as case_file_ops
from .operations import deploy as deploy_ops
from .operations.audit import SYSTEM_ACTOR, Actor

PROVISIONAL_MARK = "（暂定 provisional）"


def _app_factory() -> Flask:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_app_factory, add_default_commands=True)
def main() -> None:
    """Zhifa 执法: BPMN case workflows for an urban-management law-enforcement bureau."""


@main.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Create or migrate the database schema to the newest revision."""
    upgrade_database(current_app.config["DATABASE_URL"])
    click.echo("database is at the newest revision")


@main.group("bpmn")
def bpmn_group() -> None:
    """Diagrams: validate, deploy, list versions and roll back."""


def _read_paths(paths: tuple[str, ...]) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise click.UsageError(f"没有文件或文件夹 {raw} / no such file or folder: {raw}")
        candidates = sorted(p for p in path.rglob("*") if _deployable(p)) if path.is_dir() else [path]
        for file in candidates:
            files[file.name] = file.read_bytes()
    if not files:
        raise click.UsageError("no .bpmn, .dmn or .yaml files found in the given paths")
    return files


def _deployable(path: Path) -> bool:
    """Diagrams anywhere in a folder; YAML only from a forms/ folder (other YAML is configuration)."""
    suffix = path.suffix.lower()
    if suffix in deploy_ops.DIAGRAM_SUFFIXES:
        return path.is_file()
    return suffix in deploy_ops.FORM_SUFFIXES and path.parent.name == "forms" and path.is_file()


def _print_problems(exc: BpmnValidationError) -> None:
    for problem in exc.problems:
        click.echo(f"  {problem}", err=True)
        if problem.message_zh and problem.message_zh != problem.message:
            click.echo(f"    {problem.message_zh}", err=True)


bpmn_group.add_command(versions_command)
bpmn_group.add_command(activate_command)
bpmn_group.add_command(lanes_command)


@bpmn_group.command("validate")
@click.argument("paths", nargs=-1, required=True)
@with_appcontext
def bpmn_validate(paths: tuple[str, ...]) -> None:
    """Validate diagrams, DMN tables and forms without deploying."""
    with db.session_scope(current_app) as session:
        try:
            definitions = deploy_ops.validate_files(session, _read_paths(paths))
        except BpmnValidationError as exc:
            click.echo("invalid:", err=True)
            _print_problems(exc)
            sys.exit(1)
    click.echo(f"valid: {', '.join(sorted(definitions))}")


@bpmn_group.command("deploy")
@click.argument("paths", nargs=-1, required=True)
@with_appcontext
def bpmn_deploy(paths: tuple[str, ...]) -> None:
    """Deploy diagrams, DMN tables and forms; changed processes get new versions."""
    with db.session_scope(current_app) as session:
        try:
            results = deploy_ops.deploy_files(session, _read_paths(paths), SYSTEM_ACTOR)
        except BpmnValidationError as exc:
            click.echo("refused:", err=True)
            _print_problems(exc)
            sys.exit(1)
        session.commit()
    for result in results:
        state = "new version" if result.created else "current again" if result.reactivated else "unchanged"
        click.echo(f"{result.row.key} v{result.row.version} ({state})")


@timers_group.command("list")
@click.option(
    "--provisional", "only_provisional", is_flag=True, help="Only timers due on a provisional calendar."
)
@with_appcontext
def timers_list(only_provisional: bool) -> None:
    """List the timers running cases wait on, soonest first; provisional due times are marked."""
    query = (
        select(InstanceTimer, ProcessInstance.title)
        .join(ProcessInstance)
        .where(ProcessInstance.status == InstanceStatusColumn.RUNNING)
        .order_by(InstanceTimer.due_at, InstanceTimer.id)
    )
    if only_provisional:
        query = query.where(InstanceTimer.provisional.is_(True))
    with db.session_scope(current_app) as session:
        rows = session.execute(query).all()
        for timer, title in rows:
            due = db.as_utc(timer.due_at).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
            mark = PROVISIONAL_MARK if timer.provisional else ""
            basis = f"  {timer.legal_basis}" if timer.legal_basis else ""
            click.echo(f"{due}{mark}  case {timer.instance_id} {title}  {timer.bpmn_id} {timer.name}{basis}")
    click.echo(f"{len(rows)} timer(s)")


main.add_command(timers_group)
main.add_command(instances_group)
bpmn_group.add_command(bpmn_diff)
main.add_command(incidents_group)
main.add_command(attachments_group)
run_due_timers = run_due_timers_counts  # the name tests and scripts have used


@main.group("calendar")
def calendar_group() -> None:
    """Working-day calendar: which years it covers, entering a year's official schedule."""


@calendar_group.command("show")
@with_appcontext
def calendar_show() -> None:
    """List the years the calendar covers and where each one's days come from."""
    with db.session_scope(current_app) as session:
        infos = calendar_ops.calendar_overview(session)
    for info in infos:
        years = (
            str(info.first_year)
            if info.first_year == info.last_year
            else f"{info.first_year}-{info.last_year}"
        )
        click.echo(f"{years:<10} {info.source.value:<12} {info.detail}")


@calendar_group.command("set-year")
@click.argument("year", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show which deadlines would move; store nothing.")
@click.option("--source", default="", help="The notice it comes from, e.g. 国办发明电〔2026〕7号.")
@click.option("--by", "username", default=SYSTEM_ACTOR.username, help="Who enters it (audit chain).")
@with_appcontext
def calendar_set_year(year: int, file: str, dry_run: bool, source: str, username: str) -> None:
    """Enter YEAR's official schedule from FILE (holidays: [...], workdays: [...]) and recompute deadlines."""
    try:
        with Path(file).open(encoding="utf-8") as stream:
            schedule = parse_year_document(yaml.safe_load(stream), year, file)
    except (ValueError, yaml.YAMLError) as exc:
        raise click.ClickException(str(exc)) from exc
    with db.session_scope(current_app) as session:
        try:
            effect = calendar_ops.set_year_schedule(
                session,
                year,
                schedule.holidays,
                schedule.workdays,
                Actor(username, None),
                source=source or Path(file).name,
                dry_run=dry_run,
            )
        except Invalid as exc:
            for problem in exc.details["schedule"]:
                click.echo(f"  {problem}", err=True)
            raise click.ClickException(exc.message) from exc
        if not dry_run:
            session.commit()
    click.echo(f"{year}: {'dry run, nothing stored' if dry_run else 'schedule stored'}")
    _echo_effect(effect)


@calendar_group.command("recompute")
@click.option("--dry-run", is_flag=True, help="Show which deadlines would move; change nothing.")
@with_appcontext
def calendar_recompute(dry_run: bool) -> None:
    """Recompute provisional deadlines (after a schedule was added to the overrides file)."""
    with db.session_scope(current_app) as session:
        effect = calendar_ops.recompute_provisional(session, SYSTEM_ACTOR, dry_run=dry_run)
        if not dry_run:
            session.commit()
    _echo_effect(effect)


def _echo_effect(effect: calendar_ops.ScheduleEffect) -> None:
    click.echo(
        f"{effect.cases_checked} case(s) with provisional deadlines checked; "
        f"{len(effect.moved)} deadline(s) moved in {effect.cases_changed} case(s)"
    )
    for moved in effect.moved:
        change = moved.change
        old, new = (d.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") for d in (change.old, change.new))
        late = f"  EARLIER THAN NOW: tell {moved.holder} and the squad leader" if moved.before_now else ""
        click.echo(
            f"  case {moved.instance_id} {change.kind} {change.bpmn_id} {change.name}: "
            f"{old} -> {new} ({moved.days:+d} day(s)){late}"
        )


@main.group("audit")
def audit_group() -> None:
    """Audit chain."""


@audit_group.command("verify")
@click.option(
    "--checkpoint", "checkpoint_file", type=click.Path(dir_okay=False), help="A signed checkpoint file."
)
@click.option("--quiet", is_flag=True, help="Print no progress.")
@with_appcontext
def audit_verify(checkpoint_file: str | None, quiet: bool) -> None:
    """Check every hash chain and every case's data (and a checkpoint); exit 1 naming the first break."""
    try:
        checkpoint = audit_checkpoint.load_checkpoint(checkpoint_file) if checkpoint_file else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--checkpoint") from exc
    started = time.monotonic()

    def progress(checked: int, total: int) -> None:
        if not quiet:
            share = f"{100 * checked / total:.0f}%" if total else "100%"
            click.echo(
                f"  {checked:,} / {total:,} events ({share}, {time.monotonic() - started:.0f} s)", err=True
            )

    with db.session_scope(current_app) as session:
        report = audit_verify_ops.verify(session, checkpoint=checkpoint, progress=progress)
    seconds = time.monotonic() - started
    broken = report.first_break
    if broken is None:
        against = " and the checkpoint" if checkpoint else ""
        click.echo(f"audit chain intact{against}: {report.checked} event(s) checked in {seconds:.1f} s")
        return
    at = f"event id={broken.event_id} " if broken.event_id is not None else ""
    click.echo(
        f"audit chain BROKEN ({broken.kind}) at {at}stream={broken.stream} seq={broken.seq}: {broken.reason}",
        err=True,
    )
    sys.exit(1)


@audit_group.command("verify-bundle")
@click.argument("bundle_file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def audit_verify_bundle(bundle_file: str) -> None:
    """Check a case bundle (zip) offline: signature, each event's hash and link, each file; exit 1 if not."""
    with open(bundle_file, "rb") as handle:
        report = case_file_ops.verify_bundle(handle.read())
    if report.problem is None:
        counted = f"{report.events} event(s), {report.files} file(s)"
        click.echo(f"bundle intact: case {report.instance_id}, {counted} verified")
        return
    click.echo(f"bundle BROKEN ({report.problem.kind}): {report.problem.reason}", err=True)
    sys.exit(1)


@audit_group.command("checkpoint")
@click.option(
    "--dir", "directory", type=click.Path(file_okay=False), help="Where to write it (AUDIT_CHECKPOINT_DIR)."
)
@with_appcontext
def audit_checkpoint_command(directory: str | None) -> None:
    """Write a signed checkpoint of every stream head and case id; keep it outside the database."""
    target = directory or current_app.config["AUDIT_CHECKPOINT_DIR"]
    with db.session_scope(current_app) as session:
        path = audit_checkpoint.export_checkpoint(session, target)
    click.echo(f"checkpoint written: {path}")


@main.command("demo")
@with_appcontext
def demo() -> None:
    """Deploy bpmn/ if needed, create one demo user per role and a few sample cases."""
    from .demo import load_demo

    for line in load_demo(current_app):
        click.echo(line)
