"""How cases and tasks read on the pages: numbers, titles, process and role names (no logic in templates)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g
from flask_babel import lazy_gettext as _l

from ..db import get_session
from ..models import ProcessInstance
from ..operations import deploy as deploy_ops
from ..operations import inbox as inbox_ops

ROLE_NAMES: dict[str, tuple[str, str]] = {
    "officer": ("执法队员", "Officer"),
    "squad_legal": ("中队法制员", "Squad legal officer"),
    "squad_leader": ("中队长", "Squad leader"),
    "legal_reviewer": ("法制审核人员", "Legal reviewer"),
    "deputy_head": ("分管领导", "Deputy head"),
    "bureau_head": ("局负责人", "Bureau head"),
    "clerk": ("内勤", "Clerk"),
    "hotline_liaison": ("热线联络员", "Hotline liaison"),
    "process_owner": ("流程管理员", "Process owner"),
    "auditor": ("督察/审计", "Auditor"),
    "admin": ("系统管理员", "Administrator"),
}
STATUS_NAMES = {
    "running": _l("Running"),
    "completed": _l("Completed"),
    "cancelled": _l("Cancelled"),
    "error": _l("Error"),
}


def role_name(role: str | None, lang: str) -> str:
    """Return a role key's name in the page language."""
    if not role:
        return ""
    zh, en = ROLE_NAMES.get(role, (role, role))
    return en if lang == "en" else zh


def process_names() -> dict[str, str]:
    """Return {process key: name} of the deployed processes (once per request)."""
    if "zf_process_names" not in g:
        g.zf_process_names = {row.key: row.name for row in deploy_ops.latest_definitions(get_session())}
    names: dict[str, str] = g.zf_process_names
    return names


@dataclass(frozen=True)
class CaseHeading:
    """What names a case on a page: its number and a title of party and address."""

    number: str
    title: str
    process: str


def heading(case: ProcessInstance) -> CaseHeading:
    """Return the number and title a person recognises a case by."""
    name = process_names().get(case.process_key, case.process_key)
    return CaseHeading(inbox_ops.case_number(case), inbox_ops.case_title(case), name)
