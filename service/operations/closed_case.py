"""Matters after closure read the closed case (`case_after_closure`, docs/legal.md "After closure").

Staff start `case_after_closure` for a closed load-bearing case by its instance id
(`source_instance_id`) or its case number (`case_no`). When Zhifa holds that case, its final data
fills the start data: case number, parties, address, whether a 失信 record and a house annotation
are still in place, the annotation's registration number. The case must exist, be completed and be
readable by the starter (else NotFound, never revealing that it exists), and the case number typed
in must be the case's. A case number Zhifa does not know belongs to a case that predates it: the
start data stays as typed. The case's number, parties and address are the case's; whether a record
or an annotation is still in place the starter may correct (an earlier after-closure matter may have
lifted the annotation since).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Invalid, NotFound
from ..models import ProcessInstance, User
from ..models.instances import InstanceStatusColumn
from ..runtime import get_runtime
from .deploy import latest_definition
from .live_instances import load_live
from .visibility import visible_instances

AFTER_CLOSURE = "case_after_closure"
CLOSED_CASE_PROCESSES = ("load_bearing_case",)  # the processes whose closed cases it follows up
# Start fields copied from the closed case's final data as they are.
COPIED = ("case_no", "party_name", "party_type", "party_id_number", "party_uscc", "party_address", "address")


def _completed(row: ProcessInstance) -> None:
    if row.process_key not in CLOSED_CASE_PROCESSES:
        raise Invalid(
            "原案件不是损坏承重结构案件 / the case is not a load-bearing case",
            {
                "data": {
                    "source_instance_id": ["不是可办理结案后事项的案件 / not a case handled after closure"]
                }
            },
        )
    if row.status is not InstanceStatusColumn.COMPLETED:
        raise Invalid(
            "原案件尚未办结：请在案件中登记 / the case is still open: record it on the case",
            {"data": {"source_instance_id": ["原案件尚未办结 / the case has not been closed"]}},
        )


def find_closed_case(
    session: Session, user: User, *, instance_id: int | None = None, case_no: str | None = None
) -> ProcessInstance | None:
    """Return the closed case by id or number; None for a number Zhifa does not hold (predates it)."""
    if instance_id is not None:
        row = session.scalars(visible_instances(user).where(ProcessInstance.id == instance_id)).first()
        if row is None:
            raise NotFound("原案件不存在 / no such case")
        _completed(row)
        return row
    if not case_no:
        return None
    candidates = session.scalars(
        select(ProcessInstance)
        .where(ProcessInstance.process_key.in_(CLOSED_CASE_PROCESSES))
        .where(ProcessInstance.search_text.contains(case_no))
    ).all()
    matching = [r for r in candidates if (r.summary or {}).get("case_no") == case_no]
    if not matching:
        return None
    readable = session.scalars(
        visible_instances(user)
        .where(ProcessInstance.id.in_([r.id for r in matching]))
        .order_by(ProcessInstance.id)
    ).all()
    if not readable:
        raise NotFound("原案件不存在 / no such case")
    row = next((r for r in readable if r.status is InstanceStatusColumn.COMPLETED), readable[0])
    _completed(row)
    return row


def closed_case_values(session: Session, row: ProcessInstance) -> dict[str, Any]:
    """The after-closure start values the closed case's final data gives."""
    data = load_live(session, row.id).engine.data()
    values: dict[str, Any] = {k: data[k] for k in COPIED if data.get(k) not in (None, "")}
    values["source_instance_id"] = row.id
    values["credit_record_exists"] = data.get("credit_record_status") == "recorded"
    values["annotation_in_place"] = data.get("annotation_status") == "annotated"
    if data.get("annotation_reg_no"):
        values["annotation_reg_no"] = data["annotation_reg_no"]
    return values


def _source_id(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Invalid(
            "启动数据有误 / invalid start data",
            {"data": {"source_instance_id": ["须为案件编号（整数） / must be a case id"]}},
        ) from None


def prefill(session: Session, user: User, process_key: str, source: Mapping[str, Any]) -> dict[str, Any]:
    """Values for the after-closure start form from `source_instance_id` / `case_no` ({} if none)."""
    if process_key != AFTER_CLOSURE:
        return {}
    row = find_closed_case(
        session,
        user,
        instance_id=_source_id(source.get("source_instance_id")),
        case_no=str(source.get("case_no") or "").strip() or None,
    )
    return closed_case_values(session, row) if row is not None else {}


def after_closure_start_data(
    session: Session, process_key: str, data: Mapping[str, Any], user: User
) -> Mapping[str, Any]:
    """Fill `case_after_closure` start data from the closed case (hook of `start_instance`)."""
    values = prefill(session, user, process_key, data)
    if not values:
        return data  # typed in: a case that predates Zhifa
    typed_no = str(data.get("case_no") or "").strip()
    if typed_no and typed_no != values.get("case_no"):
        raise Invalid(
            "立案编号与原案件不符 / the case number is not the case's",
            {
                "data": {
                    "case_no": [f"原案件编号为 {values.get('case_no')} / the case is {values.get('case_no')}"]
                }
            },
        )
    given = {k: v for k, v in data.items() if v not in (None, "")}
    case_facts = {k: v for k, v in values.items() if k in (*COPIED, "source_instance_id")}
    return values | given | case_facts


def follow_up_offered(session: Session, row: ProcessInstance, user: User) -> bool:
    """Tell whether the case page offers 结案后事项 (start `case_after_closure`) on this case to this user."""
    if row.process_key not in CLOSED_CASE_PROCESSES or row.status is not InstanceStatusColumn.COMPLETED:
        return False
    definition_row = latest_definition(session, AFTER_CLOSURE)
    if definition_row is None:
        return False
    roles = get_runtime().loaded(definition_row).process.starter_roles
    return bool(roles) and user.has_role(*roles)
