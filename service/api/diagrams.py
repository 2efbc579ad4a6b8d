"""Graphviz status diagrams of definitions and live instances (SVG).

Both come from the definition version's template (laid out once, `workflows.diagram_template`); an
instance diagram recolours it, and answers 304 to a client that holds the current version (ETag).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, request, url_for
from flask.typing import ResponseReturnValue

from workflows import DiagramTemplate, Trace, diagram_template

from ..auth import current_user, login_required
from ..db import get_session
from ..errors import Invalid, NotFound
from ..operations import deploy as deploy_ops
from ..operations import instances as instance_ops
from ..operations.live_instances import load_live
from ..runtime import get_runtime
from ..schemas import diagram_args
from .common import query_args

_XML_PROLOG = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'


def _link(process_id: str) -> str:
    return url_for("api.diagrams_definition_diagram", key=process_id)


def _template(get: Callable[[], DiagramTemplate]) -> DiagramTemplate:
    try:
        return get()
    except ValueError as exc:
        raise Invalid(
            f"无法按此布局绘制 / cannot draw with this layout: {exc}", {"layout": [str(exc)]}
        ) from exc


def _svg(body: str, etag: str | None = None) -> Response:
    response = Response(_XML_PROLOG + body, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if etag is not None:
        response.set_etag(etag)
        response.headers["Cache-Control"] = "no-cache"
    return response


@login_required
def definition_diagram(key: str) -> ResponseReturnValue:
    """Draw the newest version of a process definition."""
    layout = query_args(diagram_args)["layout"]
    row = deploy_ops.latest_definition(get_session(), key)
    if row is None:
        raise NotFound("流程不存在 / no such process")
    process = get_runtime().loaded(row).process
    template = _template(
        lambda: diagram_template(
            process.files, key, layout=layout, legend=False, link=_link, content_hash=process.content_hash
        )
    )
    return _svg(template.render(None))


@login_required
def instance_diagram(instance_id: int) -> ResponseReturnValue:
    """Draw a live instance: node states coloured, path taken heavier, with a legend."""
    layout = query_args(diagram_args)["layout"]
    session = get_session()
    row = instance_ops.get_visible(session, instance_id, current_user())
    etag = f"inst-{instance_id}-v{row.version_id}-{layout}"
    if etag in request.if_none_match:
        return Response(status=304, headers={"ETag": f'"{etag}"', "Cache-Control": "no-cache"})
    live = load_live(session, instance_id)
    process = live.definition.process
    template = _template(
        lambda: diagram_template(
            process.files, process.process_id, layout=layout, link=_link, content_hash=process.content_hash
        )
    )
    trace: Trace = live.engine.trace()
    return _svg(template.render(trace), etag)
