"""Studio: what changed between two versions of a process, on a list and on the diagrams, and moving
running cases from one version to the other (dry run first)."""

from __future__ import annotations

import html
import re

from flask import render_template, request
from flask.typing import ResponseReturnValue

from workflows import build_graph

from ..db import get_session
from ..errors import Invalid
from ..models import ProcessDefinitionRow
from ..operations import migration as migration_ops
from ..operations import version_diff as diff_ops
from ..operations.audit import Actor
from .common import pick, request_now
from .session import forbidden, page_user, signin_required

READERS = ("process_owner", "auditor")
# Graphviz writes the builder's node ids as node&#45;<bpmn_id> (older drawings: node<number>)
_NODE = re.compile(r'<g id="node(?:\d+|&#45;[^"]*)" class="node">\s*<title>([^<]*)</title>')
# sequence flows are drawn as flow&#45;<flow id>, other edges (e.g. to a boundary event) as edge<number>
_EDGE = re.compile(r'<g id="(edge\d+|flow&#45;[^"]*)" class="edge">\s*<title>([^<]*)</title>')
_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)


def _version_arg(name: str, default: int) -> int:
    text = request.values.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or len(text) > 7:
        raise Invalid(f"版本号无效 / '{name}' must be a version number", {name: ["not a version number"]})
    return int(text)


def _pair(key: str) -> tuple[list[ProcessDefinitionRow], int, int]:
    rows = diff_ops.versions(get_session(), key)
    newest = rows[-1].version
    return rows, _version_arg("from", max(newest - 1, 1)), _version_arg("to", newest)


def diagram_svg(row: ProcessDefinitionRow, states: dict[str, str], edges: dict[tuple[str, str], str]) -> str:
    """Render one version's diagram; changed nodes and flows get the class `zf-diff-<state>`.

    `edges` maps (source id, target id) of a flow to its state; a flow touching an added or removed
    node takes that node's state.
    """
    svg = build_graph(row.files, row.key).pipe(format="svg", encoding="utf-8")

    def mark_node(match: re.Match[str]) -> str:
        bpmn_id = html.unescape(match.group(1))
        safe = html.escape(bpmn_id, quote=True)
        state = states.get(bpmn_id)
        classes = f"node zf-diff-{state}" if state else "node"
        group = f'<g id="node-{safe}" class="{classes}" data-bpmn-id="{safe}">'
        return f"{group}\n<title>{match.group(1)}</title>"

    def mark_edge(match: re.Match[str]) -> str:
        source, _sep, target = html.unescape(match.group(2)).partition("->")
        ends = {states.get(source), states.get(target)} & {"added", "removed"}
        state = edges.get((source, target)) or (ends.pop() if ends else None)
        if state is None:
            return match.group(0)
        return f'<g id="{match.group(1)}" class="edge zf-diff-{state}">\n<title>{match.group(2)}</title>'

    svg = _NODE.sub(mark_node, _PROLOG.sub("", svg, count=1))
    return _EDGE.sub(mark_edge, svg)


@signin_required(*READERS)
def version_diff(key: str) -> ResponseReturnValue:
    """Show the changes from one version to another, and (to process owners) the migration form."""
    return _page(key)


@signin_required(*READERS)
def migrate(key: str) -> ResponseReturnValue:
    """Dry-run or move the running cases of the `from` version to the `to` version."""
    if not page_user().has_role("process_owner"):
        return forbidden()
    session = get_session()
    _rows, first, second = _pair(key)
    source, target = migration_ops.versions_for_move(session, key, first, second)
    dry_run = request.form.get("action") != "migrate"
    actor, now, cases = Actor.of(page_user(), "process_owner"), request_now(), []
    for instance_id in migration_ops.running_case_ids(session, source):
        if dry_run:
            cases.append(migration_ops.plan_case(session, instance_id, target))
            continue
        cases.append(migration_ops.migrate_case(session, instance_id, target, actor, now))
        session.commit()  # one case, one transaction
    session.rollback()
    return _page(key, cases=cases, dry_run=dry_run)


def _page(key: str, **result: object) -> ResponseReturnValue:
    rows, first, second = _pair(key)
    found = diff_ops.version_diff(get_session(), key, first, second)
    states = found.diff.states()
    return render_template(
        "web/studio/versions_diff.html",
        key=key,
        rows=rows,
        found=found,
        old_svg=diagram_svg(
            found.old,
            {k: v for k, v in states.items() if v != "added"},
            {r.old: "changed" for r in found.diff.rewired},
        ),
        new_svg=diagram_svg(
            found.new,
            {k: v for k, v in states.items() if v != "removed"},
            {r.new: "changed" for r in found.diff.rewired},
        ),
        may_migrate=page_user().has_role("process_owner"),
        pick=pick,
        **result,
    )
