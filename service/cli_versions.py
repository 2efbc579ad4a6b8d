"""`zhifa bpmn versions KEY` and `zhifa bpmn activate KEY VERSION` (roll back or forward)."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from . import db
from .errors import NotFound
from .operations import versions as version_ops
from .operations.audit import SYSTEM_ACTOR


@click.command("versions")
@click.argument("key")
@with_appcontext
def versions_command(key: str) -> None:
    """List the versions of a process; * marks the one new cases start on."""
    with db.session_scope(current_app) as session:
        summaries = version_ops.summaries(session, key)
        if not summaries:
            click.echo(f"没有流程 {key} / no process {key}", err=True)
            sys.exit(1)
        for s in summaries:
            mark = "*" if s.current else " "
            deployed_at = s.row.deployed_at.isoformat(timespec="seconds")
            click.echo(
                f"{mark} v{s.row.version}  {s.row.content_hash[:12]}  {deployed_at}  "
                f"{s.deployed_by or 'system'}  running {s.running}  finished {s.finished}"
            )


@click.command("activate")
@click.argument("key")
@click.argument("version", type=click.IntRange(min=1))
@with_appcontext
def activate_command(key: str, version: int) -> None:
    """Make VERSION of process KEY the one new cases start on (a roll-back); running cases stay."""
    with db.session_scope(current_app) as session:
        try:
            row = version_ops.find_version(session, key, version)
        except NotFound as exc:
            click.echo(exc.message, err=True)
            sys.exit(1)
        changed = version_ops.activate(session, row, SYSTEM_ACTOR, reason="roll-back (command line)")
        session.commit()
    state = "is current now" if changed else "was already current"
    click.echo(f"{key} v{version} {state}")
