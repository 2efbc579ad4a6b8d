"""Process instances: start, list, show, cancel, history."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue

from ..auth import current_user, login_required
from ..db import get_session
from ..jsonsafe import to_json_value
from ..operations import incidents as incident_ops
from ..operations import instances as instance_ops
from ..operations.live_instances import LiveInstance, load_live
from ..schemas import (
    cancel_args,
    incident_schema,
    instance_schema,
    instance_summary_schema,
    list_instances_args,
    send_message_args,
    start_instance_args,
)
from . import audit_cases
from .common import json_body, locale, query_args, request_now


def dump_live(live: LiveInstance) -> dict[str, Any]:
    """Render an instance with its current data, tasks, timers and open incidents."""
    body: dict[str, Any] = instance_schema.dump(live.row)
    body["data"] = to_json_value(live.engine.data())
    body["definition"] = {"key": live.definition.key, "version": live.definition.version}
    open_incidents = (
        incident_ops.open_incidents_of(get_session(), live.row.id) if live.row.open_incidents else []
    )
    body["incidents"] = incident_schema.dump(open_incidents, many=True)
    if live.incidents_opened:
        names = "、".join(i.element_name or i.element_id for i in live.incidents_opened)
        body["notice"] = {
            "code": "incident_opened",
            "message": f"已办理；后续自动步骤「{names}」出错，已记录故障并提请负责人处理 / "
            "done; a following automatic step failed and was recorded as an incident for the leaders",
        }
    return body


@login_required
def start() -> ResponseReturnValue:
    """Start an instance of the newest version of a process."""
    args = json_body(start_instance_args)
    session = get_session()
    live = instance_ops.start_instance(
        session, args["process_key"], args["data"], current_user(), now=request_now(), locale=locale()
    )
    session.commit()
    return dump_live(live), 201


@login_required
def list_all() -> ResponseReturnValue:
    """List visible instances, filtered and paged."""
    args = query_args(list_instances_args)
    rows, total = instance_ops.list_instances(get_session(), current_user(), **args)
    return {
        "items": instance_summary_schema.dump(rows, many=True),
        "total": total,
        "total_capped": bool(getattr(total, "capped", False)),  # a text search counts up to 1,000
        "page": args["page"],
        "per_page": args["per_page"],
    }


@login_required
def show(instance_id: int) -> ResponseReturnValue:
    """Show one instance with data, open tasks and deadlines."""
    session = get_session()
    instance_ops.get_visible(session, instance_id, current_user())
    return dump_live(load_live(session, instance_id))


@login_required
def cancel(instance_id: int) -> ResponseReturnValue:
    """Cancel a running instance."""
    args = json_body(cancel_args)
    session = get_session()
    live = instance_ops.cancel_instance(session, instance_id, current_user(), args["reason"])
    session.commit()
    return dump_live(live)


@login_required
def message(instance_id: int) -> ResponseReturnValue:
    """Record a message (e.g. 决定被撤销) for an instance waiting at a message event."""
    args = json_body(send_message_args)
    session = get_session()
    live = instance_ops.send_message(
        session,
        instance_id,
        name=args["name"],
        payload=args["payload"],
        user=current_user(),
        now=request_now(),
    )
    session.commit()
    return dump_live(live)


@login_required
def events(instance_id: int) -> ResponseReturnValue:
    """Return one page of the instance's audit history in order, with the actors' display names."""
    return audit_cases.events(instance_id)
