"""The `zhifa` command: run, db upgrade, bpmn validate/deploy, timers, incidents, audit verify, demo."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from workflows import BpmnValidationError

from . import create_app, db
from .cli_operations import attachments_group, incidents_group, run_due_timers_counts, timers_group
from .migrate import upgrade_database
from .operations import audit as audit_ops
from .operations import deploy as deploy_ops
from .operations.audit import SYSTEM_ACTOR


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
    """Diagrams: validate and deploy."""


def _read_paths(paths: tuple[str, ...]) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for raw in paths:
        path = Path(raw)
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
        state = "new version" if result.created else "unchanged"
        click.echo(f"{result.row.key} v{result.row.version} ({state})")


main.add_command(timers_group)
main.add_command(incidents_group)
main.add_command(attachments_group)
run_due_timers = run_due_timers_counts  # the name tests and scripts have used


@main.group("audit")
def audit_group() -> None:
    """Audit chain."""


@audit_group.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Check every hash chain; name the first broken link and exit 1 if there is one."""
    with db.session_scope(current_app) as session:
        checked, broken = audit_ops.verify_chains(session)
    if broken is None:
        click.echo(f"audit chain intact: {checked} event(s) checked")
        return
    click.echo(
        f"audit chain BROKEN at event id={broken.event_id} stream={broken.stream} seq={broken.seq}: "
        f"{broken.reason}",
        err=True,
    )
    sys.exit(1)


@main.command("demo")
@with_appcontext
def demo() -> None:
    """Deploy bpmn/ if needed, create one demo user per role and a few sample cases."""
    from .demo import load_demo

    for line in load_demo(current_app):
        click.echo(line)
