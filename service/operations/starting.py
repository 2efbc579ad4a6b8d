"""Which processes a user may start, and with which start form (pages and the API both ask here).

A process declares its starters with the Spiff property `starterRoles` on its start event
(contract 6, read by the engine layer as `ProcessDefinition.starter_roles`); until a diagram does,
the configured `STARTER_ROLES` default applies, and a process with neither is not offered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from forms import Form

from ..errors import NotFound
from ..models import ProcessDefinitionRow, User
from ..runtime import get_runtime
from .deploy import latest_definition, latest_definitions


@dataclass(frozen=True)
class StartOption:
    """A deployed process as a start page offers it."""

    key: str
    name: str
    version: int
    form: Form | None
    starter_roles: tuple[str, ...]
    definition: ProcessDefinitionRow


def _option(row: ProcessDefinitionRow, defaults: Mapping[str, Sequence[str]]) -> StartOption:
    loaded = get_runtime().loaded(row)
    process = loaded.process
    declared = getattr(process, "starter_roles", None) or ()
    roles = tuple(declared) or tuple(defaults.get(row.key, ()))
    form = loaded.forms.get(process.start_form_key) if process.start_form_key else None
    return StartOption(row.key, row.name, row.version, form, roles, row)


def start_option(session: Session, key: str, defaults: Mapping[str, Sequence[str]]) -> StartOption:
    """Return the start description of the newest version of a process (NotFound if not deployed)."""
    row = latest_definition(session, key)
    if row is None:
        raise NotFound("流程不存在 / no such process")
    return _option(row, defaults)


def start_options(session: Session, user: User, defaults: Mapping[str, Sequence[str]]) -> list[StartOption]:
    """Return the processes this user may start, by name."""
    options = [_option(row, defaults) for row in latest_definitions(session)]
    return sorted(
        (o for o in options if o.starter_roles and user.has_role(*o.starter_roles)), key=lambda o: o.name
    )


def may_start(option: StartOption, user: User) -> bool:
    """Tell whether the user holds a starter role of the process."""
    return bool(option.starter_roles) and user.has_role(*option.starter_roles)
