"""待办: the inbox with case fields, working-day countdowns and counted filters; claim, release, hand over."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..db import get_session
from ..models import User
from ..operations import inbox as inbox_ops
from ..operations import tasks as task_ops
from ..operations.tasks import ASSIGNER_ROLES
from . import incidents as incident_pages
from .common import is_htmx, lang, request_now, safe_next
from .deadlines import Countdown, countdown
from .nav import STAFF
from .paging import Page, page_args
from .present import CaseHeading, heading, process_names, role_name
from .session import page_user, signin_required

FLAG_LABELS = {
    "all": _l("All"),
    "mine": _l("Mine"),
    "unassigned": _l("Unassigned"),
    "due_soon": _l("Due soon"),
    "overdue": _l("Overdue"),
}


@dataclass(frozen=True)
class InboxItem:
    """One inbox line as the page shows it."""

    task: Any
    case: Any
    heading: CaseHeading
    role: str
    holder: str | None
    countdown: Countdown | None
    may_claim: bool
    may_release: bool
    may_assign: bool
    incidents: int  # open incidents of the case, shown to those who see incidents (else 0)


def _filter_from_args() -> inbox_ops.InboxFilter:
    args = request.args
    return inbox_ops.InboxFilter(
        process=args.get("process") or None,
        stage=args.get("stage") or None,
        text=(args.get("q") or "").strip()[:100] or None,
        overdue=args.get("overdue") == "1",
        due_soon=args.get("due_soon") == "1",
        mine=args.get("mine") == "1",
        unassigned=args.get("unassigned") == "1",
        team=args.get("team") == "1",
    )


def item_of(row: inbox_ops.InboxRow, user: User) -> InboxItem:
    """Turn a query row into what the page shows."""
    task = row.task
    return InboxItem(
        task=task,
        case=row.case,
        heading=heading(row.case),
        role=role_name(task.role, lang()),
        holder=row.assignee_name,
        countdown=countdown(task.due_at, request_now(), task.warn_at, provisional=task.due_provisional),
        may_claim=task.assignee_id is None and task.role in user.roles,
        may_release=task.assignee_id is not None
        and (task.assignee_id == user.id or user.has_role(*ASSIGNER_ROLES)),
        may_assign=user.has_role(*ASSIGNER_ROLES),
        incidents=row.case.open_incidents if incident_pages.may_see(user) else 0,
    )


@signin_required(*STAFF)
def inbox() -> ResponseReturnValue:
    """List the open tasks the user may act on, filtered and paged."""
    session, user, now = get_session(), page_user(), request_now()
    flt = _filter_from_args()
    number, size = page_args()
    rows, total, counts = inbox_ops.inbox_view(session, user, flt, now, page=number, per_page=size)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    flags = _flag_links(flt, args, counts)
    incidents = _incident_link(user, args)
    if incidents is not None:
        flags.append(incidents)
        if incidents.active:
            found, total = incident_pages.open_items(user, number, size)
            page = Page(found, total, number, size)
            return render_template(
                "web/inbox_incidents.html", incidents=found, page=page, args=args, flags=flags
            )
    return render_template(
        "web/inbox.html",
        items=[item_of(row, user) for row in rows],
        page=Page(rows, total, number, size),
        flt=flt,
        args=args,
        flags=flags,
        processes=sorted(process_names().items(), key=lambda kv: kv[1]),
        stages=inbox_ops.stage_options(session, user, now),
        may_team=user.has_role(*ASSIGNER_ROLES),
        colleagues=_colleagues_by_role({row.task.role for row in rows})
        if user.has_role(*ASSIGNER_ROLES)
        else {},
    )


@dataclass(frozen=True)
class FlagLink:
    """A quick filter pill: its label, link, whether it is on, and how many tasks it holds."""

    key: str
    label: str
    href: str
    active: bool
    count: int


def _flag_links(flt: inbox_ops.InboxFilter, args: dict[str, str], counts: dict[str, int]) -> list[FlagLink]:
    base = {k: v for k, v in args.items() if k not in (*inbox_ops.FLAGS, "incidents")}
    any_flag = any(getattr(flt, flag) for flag in inbox_ops.FLAGS) or args.get("incidents") == "1"
    links = []
    for key, label in FLAG_LABELS.items():
        target = base if key == "all" else {**base, key: "1"}
        active = not any_flag if key == "all" else bool(getattr(flt, key))
        links.append(FlagLink(key, str(label), url_for("web.inbox", **target), active, counts[key]))
    return links


def _incident_link(user: User, args: dict[str, str]) -> FlagLink | None:
    """The 故障 pill of those who see incidents: open incidents of every case (None for others)."""
    if not incident_pages.may_see(user):
        return None
    active = args.get("incidents") == "1"
    href = url_for("web.inbox", **({} if active else {"incidents": "1"}))
    return FlagLink("incidents", _("Incidents"), href, active, incident_pages.open_count(user))


def _colleagues_by_role(roles: set[str | None]) -> dict[str | None, list[User]]:
    return {role: _colleagues(role) for role in roles}


def _after_action(task_id: str, message: str) -> ResponseReturnValue:
    session, user = get_session(), page_user()
    if not is_htmx():
        flash(message, "success")
        return redirect(safe_next(request.form.get("next")) or url_for("web.inbox"))
    row = inbox_ops.inbox_row(session, task_id)
    if row is None:
        return "", 200
    return render_template(
        "web/_inbox_row.html",
        item=item_of(row, user),
        colleagues={row.task.role: _colleagues(row.task.role)},
        notice=message,
    )


def _colleagues(role: str | None) -> list[User]:
    return inbox_ops.colleagues_for(get_session(), role)


@signin_required(*STAFF)
def claim(task_id: str) -> ResponseReturnValue:
    """Take a task for oneself."""
    session = get_session()
    task_ops.claim_task(session, task_id, page_user())
    session.commit()
    return _after_action(task_id, _("You took the task."))


@signin_required(*STAFF)
def release(task_id: str) -> ResponseReturnValue:
    """Give a claimed task back to its role's pool."""
    session = get_session()
    task_ops.unclaim_task(session, task_id, page_user())
    session.commit()
    return _after_action(task_id, _("The task is back in the pool."))


@signin_required(*ASSIGNER_ROLES)
def assign(task_id: str) -> ResponseReturnValue:
    """Hand a task to a colleague who holds its role (leaders)."""
    session = get_session()
    task = task_ops.assign_task(session, task_id, request.form.get("username", ""), page_user())
    session.commit()
    return _after_action(
        task_id, _("Handed to %(name)s.", name=task.assignee_id and _holder(task.assignee_id))
    )


def _holder(user_id: int) -> str:
    user = get_session().get(User, user_id)
    return user.display_name if user else ""
