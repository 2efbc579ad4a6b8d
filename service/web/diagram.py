"""The case page's live Graphviz diagram: the definition's layout recoloured, cached per instance version.

The layout of each definition version is drawn once (`workflows.diagram_template`, keyed by the
content hash of its files); an instance diagram only recolours it. Contract 3 holds natively: every
flow-node group is `<g id="node-<bpmn_id>" class="node zf-<state>" data-bpmn-id=...>`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from workflows import diagram_template

from ..operations.live_instances import LiveInstance

_CACHE: OrderedDict[tuple[int, int, str], str] = OrderedDict()
_CACHE_SIZE = 256
_lock = threading.Lock()


def instance_svg(live: LiveInstance, layout: str) -> str:
    """Return the inline SVG of a live instance (cached per row version and layout)."""
    key = (live.row.id, live.row.version_id, layout)
    with _lock:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    process = live.definition.process
    template = diagram_template(
        process.files,
        process.process_id,
        layout=layout,  # type: ignore[arg-type]
        content_hash=process.content_hash,
    )
    svg = template.render(live.engine.trace())
    with _lock:
        _CACHE[key] = svg
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return svg
