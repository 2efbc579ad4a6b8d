"""The navigation bar: each entry names the roles that see it, so later pages (studio, audit) add one line."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..models import User

STAFF = (
    "officer",
    "squad_legal",
    "squad_leader",
    "legal_reviewer",
    "deputy_head",
    "bureau_head",
    "clerk",
    "hotline_liaison",
    "admin",
)
CASE_READERS = (*STAFF, "auditor", "process_owner")
# Who reads the record, searches and verifies the chain (督察、法制审核、审计 and the leaders)
AUDIT_READERS = ("auditor", "legal_reviewer", "bureau_head", "deputy_head", "admin")
KPI_READERS = ("squad_leader", "deputy_head", "bureau_head", "auditor", "admin")


@dataclass(frozen=True)
class NavItem:
    """One link of the navigation bar, shown to holders of any of `roles`."""

    endpoint: str
    label: object  # a lazy translated string
    roles: tuple[str, ...]


NAV: list[NavItem] = [
    NavItem("web.inbox", _l("Inbox"), STAFF),
    NavItem("web.start_list", _l("Start a case"), STAFF),
    NavItem("web.cases", _l("Cases"), CASE_READERS),
    NavItem("web.calendar_page", _l("Working-day calendar"), ("process_owner", "admin")),
    NavItem("web.audit_search", _l("Audit"), AUDIT_READERS),
    NavItem("web.kpi_page", _l("KPI"), KPI_READERS),
    NavItem("web.studio", _l("Process definitions"), ("process_owner",)),
]


def visible_nav(user: User) -> list[NavItem]:
    """Return the entries this user's roles allow (and whose pages this build has)."""
    views = current_app.view_functions
    return [item for item in NAV if item.endpoint in views and user.has_role(*item.roles)]
