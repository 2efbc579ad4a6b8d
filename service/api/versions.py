"""Versions of a process: the history, making one current (roll-back), what changed between two, and
moving running cases between them."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from ..auth import current_user, login_required, roles_required
from ..db import get_session
from ..errors import NotFound
from ..operations import migration as migration_ops
from ..operations import version_diff as diff_ops
from ..operations import versions as version_ops
from ..operations.audit import Actor
from ..schemas import version_schema
from ..schemas_studio import diff_args, migrate_args, migration_result_schema, version_diff_schema
from .common import json_body, query_args, request_now


@login_required
def list_versions(key: str) -> ResponseReturnValue:
    """List every version of a process, newest first, marking the current one."""
    summaries = version_ops.summaries(get_session(), key)
    if not summaries:
        raise NotFound(f"没有流程 {key} / no process {key}")
    return {"items": version_schema.dump(summaries, many=True)}


@roles_required("process_owner")
def activate(key: str, version: int) -> ResponseReturnValue:
    """Make an earlier (or later) version the one new cases start on."""
    session = get_session()
    row = version_ops.find_version(session, key, version)
    changed = version_ops.activate(
        session, row, Actor.of(current_user(), "process_owner"), reason="roll-back"
    )
    session.commit()
    summary = next(s for s in version_ops.summaries(session, key) if s.row.id == row.id)
    return {**version_schema.dump(summary), "changed": changed}


@roles_required("process_owner", "auditor")
def diff(key: str) -> ResponseReturnValue:
    """Compare two versions of a process: elements added, removed, changed; flows rewired."""
    args = query_args(diff_args)
    result = diff_ops.version_diff(get_session(), key, args["from_version"], args["to_version"])
    return version_diff_schema.dump(result.as_dict())


@roles_required("process_owner")
def migrate(key: str) -> ResponseReturnValue:
    """Dry-run or move running cases of one version to another, one transaction per case."""
    args = json_body(migrate_args)
    session = get_session()
    source, target = migration_ops.versions_for_move(session, key, args["from_version"], args["to_version"])
    ids = migration_ops.running_case_ids(session, source)
    if args["instance_ids"] is not None:
        ids = [i for i in ids if i in set(args["instance_ids"])]
    actor, now = Actor.of(current_user(), "process_owner"), request_now()
    cases = []
    for instance_id in ids:
        if args["dry_run"]:
            cases.append(migration_ops.plan_case(session, instance_id, target))
            continue
        cases.append(migration_ops.migrate_case(session, instance_id, target, actor, now))
        session.commit()  # one case, one transaction: a later failure leaves earlier moves in place
    session.rollback()
    return migration_result_schema.dump(
        {
            "key": key,
            "from_version": source.version,
            "to_version": target.version,
            "dry_run": args["dry_run"],
            "cases": cases,
            "movable": sum(c.can_move for c in cases),
            "moved": sum(c.moved for c in cases),
            "blocked": sum(not c.can_move for c in cases),
        }
    )
