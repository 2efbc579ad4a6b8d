"""Build a PostgreSQL data set for the read benchmarks (issue 10 item 4): 100,000 cases, 1,000,000 events.

Creates (drops first) the scratch database `zhifa_scale`, migrates it, deploys `bpmn/`, creates the
demo users plus 60 more officers, then COPYs in the rows the list pages read:

* `process_instances`: running (30 %), completed (65 %) and cancelled cases of the five processes,
  with case numbers, parties and addresses in `search_text`/`summary` and a ~2 KB filler `state`
  (the lists must not read it; these cases are for reading lists, not for opening or advancing);
* `human_tasks`: one or two open tasks per running case, for every role, some assigned, due dates
  spread around today;
* `audit_events`: ten per case (1,000,000), by the case's officers; `officer1` holds a large share
  of the history (the case that made the case list take 35 s). The hash chain is not valid;
* `case_participants` filled from the events as the migration does; then ANALYZE.

    python bench/scale_data.py                  # 100,000 cases
    python bench/scale_data.py --cases 20000    # smaller
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402

from service import create_app  # noqa: E402
from service.db import session_scope  # noqa: E402
from service.demo import DEMO_USERS  # noqa: E402
from service.migrate import upgrade_database  # noqa: E402
from service.models import ProcessDefinitionRow  # noqa: E402
from service.operations.audit import SYSTEM_ACTOR  # noqa: E402
from service.operations.deploy import deploy_files  # noqa: E402
from service.operations.users import create_user  # noqa: E402

ADMIN_PG_URL = os.environ.get("ZHIFA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATABASE = "zhifa_scale"
SECRET = "bench-" + "k" * 58
NOW = datetime.now(UTC)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红"
ROADS = ("叶城", "曹安", "真南", "武宁", "长寿", "江宁", "延安", "南京", "淮海", "四川", "北京", "天目")
TASKS = {
    "officer": ("入户检查", "制作询问笔录", "起草决定书", "送达文书"),
    "squad_legal": ("中队法制初审",),
    "squad_leader": ("指派承办人", "审批立案"),
    "legal_reviewer": ("法制审核",),
    "clerk": ("文书编号", "归档"),
    "hotline_liaison": ("签收并派单", "回访诉求人"),
}
FILLER_STATE = json.dumps({"filler": "x" * 2000})  # lists must never read this column
STATUSES = ("running",) * 30 + ("completed",) * 65 + ("cancelled",) * 5


def url_of(database: str) -> str:
    """Return the SQLAlchemy URL of a database on the benchmark server."""
    return ADMIN_PG_URL.rsplit("/", 1)[0] + f"/{database}"


def recreate_database() -> str:
    """Drop and create the scratch database; return its URL."""
    admin = create_engine(ADMIN_PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {DATABASE}"))
    admin.dispose()
    return url_of(DATABASE)


def setup_app_rows(url: str, officers: int) -> tuple[dict[str, int], dict[str, int]]:
    """Deploy bpmn/ and create users; return {process key: definition id} and {username: user id}."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    with app.app_context(), session_scope(app) as session:
        files = {
            p.name: p.read_bytes() for p in sorted((ROOT / "bpmn").glob("*")) if p.suffix in {".bpmn", ".dmn"}
        }
        deploy_files(session, files, SYSTEM_ACTOR)
        users = {name: roles for name, (_display, roles) in DEMO_USERS.items()}
        users |= {f"officer{n}": ["officer"] for n in range(3, 3 + officers)}
        ids = {}
        for username, roles in users.items():
            user = create_user(
                session,
                username,
                username,
                roles,
                display_name=username,
                known_roles=set(app.config["ROLES"]),
                actor=SYSTEM_ACTOR,
                hash_method="pbkdf2:sha256:1000",
            )
            session.flush()
            ids[username] = user.id
        definitions = {row.key: row.id for row in session.scalars(select(ProcessDefinitionRow))}
        session.commit()
    app.extensions["zhifa.engine"].dispose()
    return definitions, ids


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def case_rows(
    count: int, definitions: dict[str, int], officers: list[int], rng: random.Random
) -> Iterator[tuple[Any, ...]]:
    """Yield process_instances rows (id 1..count)."""
    keys = sorted(definitions)
    for case_id in range(1, count + 1):
        key = keys[case_id % len(keys)]
        party = _person(rng)
        address = (
            f"{rng.choice(ROADS)}路{rng.randint(1, 2000)}弄{rng.randint(1, 120)}号{rng.randint(101, 2402)}室"
        )
        case_no = f"沪普城管〔{2020 + case_id % 7}〕第{case_id:06d}号"
        status = rng.choice(STATUSES)
        started = NOW - timedelta(days=rng.uniform(0, 2000))
        summary = {"case_no": case_no, "party_name": party, "address": address}
        yield (
            case_id, definitions[key], key, f"{party} {address}", status,
            rng.choice(("发现认定", "立案调查", "整改修复", "验收结案")) if status == "running" else None,
            FILLER_STATE, "1.4", f"{case_no} {party} {address}", json.dumps(summary, ensure_ascii=False),
            0, 0, 10, "", rng.choice(officers), started, started + timedelta(days=3),
            started + timedelta(days=30) if status != "running" else None, 1, False,
        )  # fmt: skip


def task_rows(
    cases: list[tuple[int, str]], users: dict[str, int], rng: random.Random
) -> Iterator[tuple[Any, ...]]:
    """Yield human_tasks rows: one or two per running case."""
    roles = sorted(TASKS)
    for case_id, key in cases:
        for n in range(rng.choice((1, 1, 1, 2))):
            role = rng.choice(roles) if rng.random() < 0.5 else "officer"
            due = NOW + timedelta(days=rng.uniform(-20, 40)) if rng.random() < 0.9 else None
            holder = (
                users[f"officer{rng.randint(1, 20)}"] if role == "officer" and rng.random() < 0.3 else None
            )
            yield (
                f"{case_id:08d}-{n:04d}-4000-8000-000000000000", case_id, f"task_{role}_{n}",
                rng.choice(TASKS[role]), key, role, None, due, due - timedelta(days=3) if due else None,
                False, False, None, holder, NOW - timedelta(days=rng.uniform(0, 30)),
            )  # fmt: skip


def event_rows(
    count: int, per_case: int, officers: list[str], rng: random.Random
) -> Iterator[tuple[Any, ...]]:
    """Yield audit_events rows: `per_case` per case; officer1 acts in about a third of the cases."""
    kinds = ("instance_started", "task_completed", "task_claimed", "attachment_uploaded", "task_completed")
    for case_id in range(1, count + 1):
        crew = ["officer1"] if rng.random() < 0.35 else []
        crew += rng.sample(officers, 2)
        at = NOW - timedelta(days=rng.uniform(0, 2000))
        for seq in range(1, per_case + 1):
            at += timedelta(hours=rng.uniform(1, 30))
            actor = crew[seq % len(crew)]
            yield (
                f"instance:{case_id}", seq, case_id, at, actor, "officer", kinds[seq % len(kinds)],
                None, None, None, json.dumps({"note": "批量生成"}, ensure_ascii=False), None, None,
                f"{rng.getrandbits(256):064x}", f"{rng.getrandbits(256):064x}", None,
            )  # fmt: skip


CASE_COLUMNS = (
    "id, definition_id, process_key, title, status, stage, state, serializer_version, search_text, summary, "
    "timer_leases, open_incidents, audit_seq, audit_head, started_by_id, started_at, updated_at, "
    "completed_at, version_id, provisional_deadlines"
)
TASK_COLUMNS = (
    "id, instance_id, bpmn_id, name, process_id, role, form_key, due_at, warn_at, due_provisional, "
    "deadline_moved_earlier, legal_basis, assignee_id, created_at"
)
EVENT_COLUMNS = (
    "stream, seq, instance_id, occurred_at, actor, role, kind, task_id, task_bpmn_id, task_name, data, diff, "
    "attachments, prev_hash, hash, state_hash"
)


def copy_rows(
    connection: psycopg.Connection[Any], table: str, columns: str, rows: Iterator[tuple[Any, ...]]
) -> int:
    """COPY rows into a table; return how many."""
    written = 0
    with connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def build(count: int, events_per_case: int, officers: int) -> None:
    """Create the data set and print how long each part took."""
    started = time.perf_counter()
    url = recreate_database()
    upgrade_database(url)
    definitions, users = setup_app_rows(url, officers)
    print(f"schema, definitions, {len(users)} users: {time.perf_counter() - started:.0f} s")
    rng = random.Random(10)  # noqa: S311  (benchmark data)
    officer_ids = [uid for name, uid in users.items() if name.startswith("officer")]
    officer_names = [name for name in users if name.startswith("officer")]
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as connection:
        cases = list(case_rows(count, definitions, officer_ids, rng))
        copy_rows(connection, "process_instances", CASE_COLUMNS, iter(cases))
        running = [(row[0], row[2]) for row in cases if row[4] == "running"]
        tasks = copy_rows(connection, "human_tasks", TASK_COLUMNS, task_rows(running, users, rng))
        print(f"{count} cases, {tasks} open tasks: {time.perf_counter() - started:.0f} s")
        events = copy_rows(
            connection, "audit_events", EVENT_COLUMNS, event_rows(count, events_per_case, officer_names, rng)
        )
        print(f"{events} audit events: {time.perf_counter() - started:.0f} s")
        connection.execute(
            "INSERT INTO case_participants (username, instance_id) "
            "SELECT DISTINCT actor, instance_id FROM audit_events WHERE instance_id IS NOT NULL"
        )
        connection.execute("SELECT setval(pg_get_serial_sequence('process_instances', 'id'), %s)", (count,))
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")
    print(f"participants, VACUUM ANALYZE: done in {time.perf_counter() - started:.0f} s ({url})")


def main() -> None:
    """Parse arguments and build the data set."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--events-per-case", type=int, default=10)
    parser.add_argument("--officers", type=int, default=60)
    args = parser.parse_args()
    build(args.cases, args.events_per_case, args.officers)


if __name__ == "__main__":
    main()
