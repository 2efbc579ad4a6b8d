"""`zhifa bpmn lanes FILE... [--check]`: regenerate lanes, pools, message flows and DI of diagrams."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from workflows.bpmn_xml import XmlProblem
from workflows.lanes_xml import LanesError, relane

__all__ = ["lanes_command"]


@click.command("lanes")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a file would change.")
def lanes_command(files: tuple[str, ...], check: bool) -> None:
    """Put every task in the lane of its role and draw the external parties as pools.

    Reads each user task's role (its `role` property, else its lane) and the `messageTo` /
    `messageFrom` properties naming the parties a node talks to, then rewrites the laneSet, the
    pools and message flows and the whole BPMN-DI. Running it twice changes nothing.
    """
    stale, failed = [], False
    for name in files:
        path = Path(name)
        text = path.read_text(encoding="utf-8")
        try:
            new = relane(text, path.name)
        except (LanesError, XmlProblem) as exc:
            click.echo(f"{name}: {exc}", err=True)
            failed = True
            continue
        if new == text:
            click.echo(f"{name}: up to date / 无需更新")
        elif check:
            stale.append(name)
            click.echo(f"{name}: lanes or layout out of date / 泳道或布局需要更新", err=True)
        else:
            path.write_text(new, encoding="utf-8")
            click.echo(f"{name}: rewritten / 已重新生成")
    if failed or stale:
        sys.exit(1)
