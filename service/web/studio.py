"""流程管理 (studio): every process with its versions, the diagram of each version, and roll-back."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from workflows import build_graph

from ..db import get_session
from ..errors import NotFound
from ..models import ProcessDefinitionRow
from ..operations import versions as version_ops
from ..operations.audit import Actor
from ..runtime import get_runtime
from .deadlines import local_time
from .session import page_user, signin_required

OWNERS = ("process_owner",)
_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_SVG: OrderedDict[int, str] = OrderedDict()  # definition id -> SVG; a version never changes
_SVG_SIZE = 64
_lock = threading.Lock()


@signin_required(*OWNERS)
def studio() -> ResponseReturnValue:
    """List every deployed process with its current version and how many versions it has."""
    session = get_session()
    processes = [
        (row, len(version_ops.versions_of(session, row.key))) for row in version_ops.current_versions(session)
    ]
    return render_template("studio/index.html", processes=processes, local_time=local_time)


@signin_required(*OWNERS)
def definition(key: str) -> ResponseReturnValue:
    """Show a process's versions (who, when, hash, files, forms, cases) and one version's diagram."""
    session = get_session()
    summaries = version_ops.summaries(session, key)
    if not summaries:
        raise NotFound(_("No such process."))
    shown = _shown(summaries, request.args.get("version", type=int))
    return render_template(
        "studio/definition.html",
        key=key,
        name=shown.row.name,
        summaries=summaries,
        shown=shown,
        current_version=next(s.row.version for s in summaries if s.current),
        svg=version_svg(shown.row),
        local_time=local_time,
    )


def _shown(summaries: list[version_ops.VersionSummary], wanted: int | None) -> version_ops.VersionSummary:
    chosen = next((s for s in summaries if s.row.version == wanted), None)
    return chosen or next(s for s in summaries if s.current)


@signin_required(*OWNERS)
def activate(key: str, version: int) -> ResponseReturnValue:
    """Make a version the one new cases start on (roll back or forward); running cases stay."""
    session = get_session()
    row = version_ops.find_version(session, key, version)
    if version_ops.activate(
        session, row, Actor.of(page_user(), "process_owner"), reason="roll-back (studio)"
    ):
        session.commit()
        flash(_("Version %(version)s of %(name)s is current now.", version=version, name=row.name), "success")
    else:
        flash(_("Version %(version)s was already current.", version=version), "info")
    return redirect(url_for("web.definition", key=key, version=version))


def version_svg(row: ProcessDefinitionRow) -> str:
    """Return the Graphviz diagram of one version as inline SVG (cached: versions never change)."""
    with _lock:
        hit = _SVG.get(row.id)
    if hit is not None:
        return hit
    process = get_runtime().loaded(row).process
    graph = build_graph(process.files, row.key, layout="auto")
    svg = _PROLOG.sub("", graph.pipe(format="svg", encoding="utf-8"), count=1)
    with _lock:
        _SVG[row.id] = svg
        while len(_SVG) > _SVG_SIZE:
            _SVG.popitem(last=False)
    return svg


RULES = [
    ("/studio", studio, ["GET"]),
    ("/studio/<key>", definition, ["GET"]),
    ("/studio/<key>/versions/<int:version>/activate", activate, ["POST"]),
]
