"""Operating the service: `zhifa timers …`, `zhifa incidents …` and `zhifa attachments gc`."""

from __future__ import annotations

import os
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from . import db
from .db import as_utc, utcnow
from .errors import ServiceError
from .operations import attachment_gc
from .operations import health as health_ops
from .operations import incidents as incident_ops
from .supervisor import ALIVE_ENV, stop_on_signals, supervise
from .worker import PassResult, Worker, run_due_timers

__all__ = ["attachments_group", "incidents_group", "run_due_timers_counts", "timers_group"]


@click.group("timers")
def timers_group() -> None:
    """Timer worker."""


@timers_group.command("run")
@click.option("--once", is_flag=True, help="Fire what is due now and exit.")
@click.option("--now", "now_text", help="Act as if it were this ISO instant (implies --once).")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between polls.")
@click.option("--supervise", "supervised", is_flag=True, help="Restart the worker when it dies or hangs.")
@with_appcontext
def timers_run(once: bool, now_text: str | None, interval: float, supervised: bool) -> None:
    """Fire every timer that is due (repeatedly, unless --once or --now); Ctrl-C stops it."""
    simulated = _parse_instant(now_text) if now_text else None
    stop = threading.Event()
    with stop_on_signals(stop):
        if supervised:
            command = [sys.executable, "-m", "service", "timers", "run", "--interval", str(interval)]
            hang = max(300.0, 3 * interval, 10 * float(current_app.config["TIMER_CASE_SECONDS"]))
            supervise(command, hang_seconds=hang, stop=stop)
            return
        alive = os.environ.get(ALIVE_ENV)
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        worker = Worker(app, interval=interval, stop=stop, report=click.echo)
        worker.alive_file = Path(alive) if alive else None
        try:
            worker.run(once=once, simulated_now=simulated)
        except Exception as exc:  # noqa: BLE001  (with --once a database outage ends the command)
            raise click.ClickException(f"timer pass failed: {type(exc).__name__}: {exc}") from exc


def _parse_instant(text: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter(f"not an ISO 8601 instant: {text}") from exc
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def run_due_timers_counts(app: Flask, now: datetime) -> tuple[int, int]:
    """Fire due timers once; return (timers fired, failed instances) (callable from any thread)."""
    result: PassResult = run_due_timers(app, now)
    return result.fired, result.failed


@timers_group.command("status")
@with_appcontext
def timers_status() -> None:
    """Show each timer worker's heartbeat: last pass, timers fired and failed, last error."""
    with db.session_scope(current_app) as session:
        report = health_ops.timer_health(session, utcnow())
    if not report.workers:
        click.echo("no timer worker has reported yet")
    for worker in report.workers:
        state = "stopped" if worker.stopped_at else ("alive" if worker.alive else "SILENT")
        last = as_utc(worker.last_run_at).isoformat() if worker.last_run_at else "never"
        click.echo(
            f"{worker.worker_id}: {state}; last pass {last}: fired {worker.last_fired}, "
            f"failed {worker.last_failed}; total fired {worker.total_fired}, failed {worker.total_failed}"
        )
        if worker.last_error:
            click.echo(f"  last error at {worker.last_error_at}: {worker.last_error}")
    click.echo(
        f"overdue cases waiting for a worker: {report.overdue}; open incidents: {report.open_incidents}"
    )


@click.group("incidents")
def incidents_group() -> None:
    """Failed steps and timer runs waiting for a retry."""


@incidents_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include resolved incidents.")
@click.option("--instance", "instance_id", type=int, help="Only this case.")
@with_appcontext
def incidents_list(show_all: bool, instance_id: int | None) -> None:
    """List open incidents (oldest first)."""
    with db.session_scope(current_app) as session:
        rows = incident_ops.all_incidents(
            session, state="all" if show_all else "open", instance_id=instance_id
        )
        for row in rows:
            state = f"resolved {as_utc(row.resolved_at).isoformat()}" if row.resolved_at else "OPEN"
            retry = f", next retry {as_utc(row.next_retry_at).isoformat()}" if row.next_retry_at else ""
            click.echo(
                f"#{row.id} case {row.instance_id} [{row.kind}] {row.element_id} {row.element_name}: "
                f"{row.message} (attempts {row.attempts}{retry}; {state})"
            )
    if not rows:
        click.echo("no incidents")


@incidents_group.command("retry")
@click.argument("incident_id", type=int)
@with_appcontext
def incidents_retry(incident_id: int) -> None:
    """Run an incident's failed work again now (after its cause was fixed)."""
    with db.session_scope(current_app) as session:
        try:
            incident = incident_ops.retry_incident(session, incident_id, None, utcnow())
        except ServiceError as exc:
            raise click.ClickException(exc.message) from exc
        session.commit()
        if incident.resolved_at is None:
            click.echo(f"incident #{incident.id} failed again: {incident.message}", err=True)
            sys.exit(1)
    click.echo(f"incident #{incident_id} resolved")


@incidents_group.command("adopt-legacy")
@with_appcontext
def incidents_adopt_legacy() -> None:
    """Turn cases left in the old `error` status into running cases with an open incident."""
    with db.session_scope(current_app) as session:
        adopted = incident_ops.adopt_legacy(session, utcnow())
        session.commit()
    click.echo(f"adopted {len(adopted)} case(s)" + (f": {adopted}" if adopted else ""))


@click.group("attachments")
def attachments_group() -> None:
    """Stored evidence files."""


@attachments_group.command("gc")
@click.option("--grace-hours", type=float, help="Leave files younger than this (default: configuration).")
@click.option("--dry-run", is_flag=True, help="Only report what would be removed.")
@with_appcontext
def attachments_gc(grace_hours: float | None, dry_run: bool) -> None:
    """Remove stored files no attachment refers to (safe while uploads run)."""
    grace = (
        grace_hours * 3600 if grace_hours is not None else current_app.config["ATTACHMENT_GC_GRACE_SECONDS"]
    )
    with db.session_scope(current_app) as session:
        result = attachment_gc.collect_orphans(
            session, Path(current_app.config["ATTACHMENT_DIR"]), grace_seconds=grace, dry_run=dry_run
        )
    verb = "would remove" if dry_run else "removed"
    click.echo(
        f"{verb} {result.removed} orphan file(s) ({result.removed_bytes} bytes) and "
        f"{result.stale_uploads} abandoned upload(s); {result.kept_recent} recent file(s) left alone"
    )
