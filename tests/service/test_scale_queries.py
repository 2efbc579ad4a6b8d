"""Reads that stay fast at scale: who acted on a case is indexed, lists never read the engine state, and
on PostgreSQL the inbox, case list, search and events queries can use their indexes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Select, event, select, text
from sqlalchemy.orm import Session

from service.db import session_scope
from service.models import AuditEvent, CaseParticipant, User
from service.operations.audit import instance_stream
from service.operations.caselist import CaseFilter, case_query
from service.operations.inbox import InboxFilter, inbox_query
from tests.conftest import DATA, deploy_dir

REGISTER = {
    "party_name": "上海某装饰公司",
    "address": "叶城路 1 号 302 室",
    "received_on": "2026-09-29",
    "description": "拆除承重墙",
}


@pytest.fixture
def case_id(login: Any) -> int:
    assert deploy_dir(login("process_owner"), DATA / "acceptance").status_code == 201
    response = login("officer1").post("/process-instances", json={"process_key": "case_flow", "data": {}})
    assert response.status_code == 201, response.json
    return int(response.json["id"])


def _complete_register(login: Any, username: str) -> None:
    api = login(username)
    task = next(t for t in api.get("/tasks").json["items"] if t["bpmn_id"] == "register_case")
    assert api.post(f"/tasks/{task['id']}/complete", json={"data": REGISTER}).status_code == 200


def test_an_officer_who_acted_on_a_case_keeps_seeing_it_after_it_moved_on(login: Any, case_id: int) -> None:
    _complete_register(login, "officer2")  # the next step is the squad leader's
    officer2 = login("officer2")
    assert officer2.get(f"/process-instances/{case_id}").status_code == 200
    assert [c["id"] for c in officer2.get("/process-instances").json["items"]] == [case_id]
    assert login("clerk").get(f"/process-instances/{case_id}").status_code == 404


def test_participants_are_recorded_once_per_person_and_never_for_the_system(
    app: Flask, login: Any, case_id: int
) -> None:
    _complete_register(login, "officer2")
    with app.app_context(), session_scope(app) as session:
        rows = session.execute(
            select(CaseParticipant.username).where(CaseParticipant.instance_id == case_id)
        ).scalars()
        assert sorted(rows) == ["officer1", "officer2"]


@contextmanager
def _statements(app: Flask) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = app.extensions["zhifa.engine"]

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_lists_never_read_the_engine_state(app: Flask, login: Any, case_id: int) -> None:
    officer = login("officer1")
    with _statements(app) as seen:
        assert officer.get("/process-instances").json["total"] == 1
        assert officer.get("/tasks").json["total"] == 1
        assert officer.get("/process-instances?text=叶城路").status_code == 200
    reads = [s for s in seen if s.lstrip().upper().startswith("SELECT") and "process_instances" in s]
    assert reads
    assert not [s for s in reads if "process_instances.state" in s]


def test_events_are_paged_with_their_total(login: Any, case_id: int) -> None:
    _complete_register(login, "officer1")
    auditor = login("auditor")
    everything = auditor.get(f"/process-instances/{case_id}/events").json
    first = auditor.get(f"/process-instances/{case_id}/events?per_page=1").json
    second = auditor.get(f"/process-instances/{case_id}/events?per_page=1&page=2").json
    assert first["total"] == second["total"] == len(everything["items"]) >= 2
    assert [first["items"][0]["seq"], second["items"][0]["seq"]] == [1, 2]
    assert auditor.get(f"/process-instances/{case_id}/events?per_page=0").status_code == 422


def _plan(session: Session, query: Select[Any]) -> str:
    compiled = query.compile(dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True})
    connection = session.connection()
    connection.execute(text("SET LOCAL enable_seqscan = off"))
    rows = connection.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params)
    return "\n".join(row[0] for row in rows)


@pytest.fixture
def postgres_session(app: Flask, database_url: str, case_id: int) -> Iterator[Session]:
    if not database_url.startswith("postgresql"):
        pytest.skip("index plans are checked on PostgreSQL")
    with app.app_context(), session_scope(app) as session:
        # Enough open tasks over the roles that the planner's choice is about selectivity, not size.
        session.execute(
            text(
                "INSERT INTO human_tasks (id, instance_id, bpmn_id, name, process_id, role, due_at,"
                " due_provisional, deadline_moved_earlier, created_at)"
                " SELECT 'bulk-' || n, :case_id, 't', 't', 'case_flow',"
                " (ARRAY['officer','clerk','squad_leader','squad_legal','legal_reviewer','hotline_liaison'])"
                "[1 + n % 6], now() + n * interval '1 hour', false, false, now()"
                " FROM generate_series(1, 3000) AS n"
            ),
            {"case_id": case_id},
        )
        session.execute(text("ANALYZE"))
        yield session
        session.rollback()


def _user(session: Session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def test_the_case_search_uses_the_trigram_index(postgres_session: Session) -> None:
    query = case_query(
        postgres_session, _user(postgres_session, "auditor"), CaseFilter(text="叶城路1"), datetime.now(UTC)
    )
    assert "ix_process_instances_search_text_trgm" in _plan(postgres_session, query)


def test_the_visibility_rule_looks_up_participants_by_index(postgres_session: Session) -> None:
    query = case_query(postgres_session, _user(postgres_session, "officer2"), CaseFilter(), datetime.now(UTC))
    plan = _plan(postgres_session, query)
    assert "pk_case_participants" in plan
    assert "audit_events" not in plan


def test_the_inbox_uses_the_task_role_index(postgres_session: Session) -> None:
    query = inbox_query(
        postgres_session, _user(postgres_session, "officer2"), InboxFilter(), datetime.now(UTC)
    )
    plan = _plan(postgres_session, query)
    assert "ix_human_tasks_role_due" in plan, plan


def test_the_events_page_reads_the_stream_index(postgres_session: Session, case_id: int) -> None:
    query = (
        select(AuditEvent)
        .where(AuditEvent.stream == instance_stream(case_id))
        .order_by(AuditEvent.seq)
        .limit(50)
    )
    assert "uq_audit_events_stream_seq" in _plan(postgres_session, query)


def _registered_case(login: Any, party: str) -> int:
    officer = login("officer2")
    response = officer.post("/process-instances", json={"process_key": "case_flow", "data": {}})
    assert response.status_code == 201, response.json
    case = int(response.json["id"])
    task = next(
        t
        for t in officer.get("/tasks").json["items"]
        if t["bpmn_id"] == "register_case" and t["instance_id"] == case
    )
    data = {**REGISTER, "party_name": party}
    assert officer.post(f"/tasks/{task['id']}/complete", json={"data": data}).status_code == 200
    return case


def test_a_two_character_search_finds_exactly_the_cases_holding_those_characters(
    login: Any, case_id: int
) -> None:
    wang, zhang = _registered_case(login, "王伟强"), _registered_case(login, "张伟")
    for who in ("auditor", "officer2"):  # a see-all role, and the officer who registered them
        api = login(who)
        for term, expected in (("王伟", [wang]), ("伟强", [wang]), ("张伟", [zhang]), ("伟", [zhang, wang])):
            found = api.get(f"/process-instances?text={term}").json
            assert [c["id"] for c in found["items"]] == expected, (who, term)
            assert found["total"] == len(expected)
        assert api.get("/process-instances?text=王强").json["total"] == 0  # not adjacent in any case
        assert api.get("/process-instances?text=_伟").json["total"] == 0  # a wildcard is taken literally
    assert login("clerk").get("/process-instances?text=王伟").json["total"] == 0  # never saw either case


def test_a_two_character_search_uses_the_bigram_index(postgres_session: Session) -> None:
    for who in ("auditor", "officer2"):
        query = case_query(
            postgres_session, _user(postgres_session, who), CaseFilter(text="王伟"), datetime.now(UTC)
        )
        plan = _plan(postgres_session, query)
        assert "ix_process_instances_search_bigrams" in plan, plan


def test_a_one_character_search_uses_the_character_index(postgres_session: Session) -> None:
    for who in ("auditor", "officer2"):
        query = case_query(
            postgres_session, _user(postgres_session, who), CaseFilter(text="伟"), datetime.now(UTC)
        )
        plan = _plan(postgres_session, query)
        assert "ix_process_instances_search_chars" in plan, plan


def test_case_states_are_written_with_lz4_compression(postgres_session: Session) -> None:
    compression = postgres_session.scalar(
        text(
            "SELECT attcompression FROM pg_attribute"
            " WHERE attrelid = 'process_instances'::regclass AND attname = 'state'"
        )
    )
    assert compression == "l"  # pglz took 2.9 ms per 300 KB state written, lz4 0.15 ms
