"""Graphviz status diagrams of definitions and live instances (SVG)."""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import Response, url_for
from flask.typing import ResponseReturnValue

from workflows import build_graph

from ..auth import current_user, login_required
from ..db import get_session
from ..errors import Invalid, NotFound
from ..operations import deploy as deploy_ops
from ..operations import instances as instance_ops
from ..runtime import get_runtime
from ..schemas import diagram_args
from .common import query_args

_SVG_CACHE: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
_SVG_CACHE_SIZE = 512
_lock = threading.Lock()


def _link(process_id: str) -> str:
    return url_for("api.diagrams_definition_diagram", key=process_id)


def _render(cache_key: tuple[object, ...], build: object) -> bytes:
    with _lock:
        if cache_key in _SVG_CACHE:
            _SVG_CACHE.move_to_end(cache_key)
            return _SVG_CACHE[cache_key]
    try:
        graph = build()  # type: ignore[operator]
    except ValueError as exc:
        raise Invalid(
            f"无法按此布局绘制 / cannot draw with this layout: {exc}", {"layout": [str(exc)]}
        ) from exc
    svg: bytes = graph.pipe(format="svg")
    with _lock:
        _SVG_CACHE[cache_key] = svg
        while len(_SVG_CACHE) > _SVG_CACHE_SIZE:
            _SVG_CACHE.popitem(last=False)
    return svg


def _svg(body: bytes) -> Response:
    response = Response(body, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def definition_diagram(key: str) -> ResponseReturnValue:
    """Draw the newest version of a process definition."""
    layout = query_args(diagram_args)["layout"]
    row = deploy_ops.latest_definition(get_session(), key)
    if row is None:
        raise NotFound("流程不存在 / no such process")
    process = get_runtime().loaded(row).process
    return _svg(
        _render(("def", row.id, layout), lambda: build_graph(process.files, key, layout=layout, link=_link))
    )


@login_required
def instance_diagram(instance_id: int) -> ResponseReturnValue:
    """Draw a live instance: node states coloured, path taken heavier, with a legend."""
    layout = query_args(diagram_args)["layout"]
    session = get_session()
    instance_ops.get_visible(session, instance_id, current_user())
    live = instance_ops.load_live(session, instance_id)
    process = live.definition.process
    cache_key = ("inst", instance_id, live.row.version_id, layout)
    return _svg(
        _render(
            cache_key,
            lambda: build_graph(
                process.files, process.process_id, trace=live.engine.trace(), layout=layout, link=_link
            ),
        )
    )
