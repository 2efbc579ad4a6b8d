"""Benchmark: due timers fired by several timer-worker processes (issue 10, "timers by the thousand").

Seeds N cases that each wait on a one-day timer (`tests/data/incidents/timer_then_step.bpmn`: the
timer, then a script step and a task), then starts W worker processes at an instant when all N are
due and measures until every worker has drained the backlog. It samples the number of fired timers
every second (throughput must not decay as the backlog drains) and checks each timer fired once.

    python bench/timers.py                      # 10,000 timers, 2 workers, PostgreSQL when reachable
    python bench/timers.py --timers 2000 --database sqlite
    python bench/timers.py --template zhifa_timers_seed   # A/B runs from the same seeded cases
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from service import create_app  # noqa: E402
from service.db import session_scope  # noqa: E402
from service.migrate import upgrade_database  # noqa: E402
from service.models import AuditEvent, Incident, ProcessInstance  # noqa: E402
from service.operations.audit import SYSTEM_ACTOR  # noqa: E402
from service.operations.deploy import deploy_files  # noqa: E402
from service.operations.instances import start_process_as  # noqa: E402

DIAGRAM = ROOT / "tests" / "data" / "incidents" / "timer_then_step.bpmn"
FORMS_DIR = ROOT / "tests" / "data" / "acceptance" / "forms"
START = datetime.fromisoformat("2026-11-02T09:00:00+08:00")
DUE = START + timedelta(days=1, minutes=1)
SECRET = "bench-" + "k" * 58
ADMIN_PG_URL = os.environ.get("ZHIFA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def postgres_database(name: str) -> str | None:
    """Create a fresh PostgreSQL database for the run; None when no server answers."""
    try:
        admin = create_engine(ADMIN_PG_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            connection.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
    except Exception:  # noqa: BLE001  (no server: the caller falls back to SQLite)
        return None
    return ADMIN_PG_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres_database(name: str) -> None:
    """Remove the run's database."""
    admin = create_engine(ADMIN_PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def seed(url: str, count: int) -> float:
    """Deploy the diagram and start `count` cases waiting on their timer; return seconds taken."""
    upgrade_database(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "FORMS_DIR": str(FORMS_DIR)})
    started = time.perf_counter()
    with app.app_context():
        with session_scope(app) as session:
            deploy_files(session, {DIAGRAM.name: DIAGRAM.read_bytes()}, SYSTEM_ACTOR)
            session.commit()
        for offset in range(0, count, 500):
            with session_scope(app) as session:
                for _ in range(min(500, count - offset)):
                    start_process_as(
                        session, "timer_then_step", {"start_on": "2026-11-02"}, SYSTEM_ACTOR, START
                    )
                session.commit()
    app.extensions["zhifa.engine"].dispose()
    return time.perf_counter() - started


def fired_count(engine: Any) -> int:
    """Count the timer_fired events recorded so far."""
    with engine.connect() as connection:
        return int(
            connection.execute(select(func.count()).where(AuditEvent.kind == "timer_fired")).scalar() or 0
        )


def run_workers(url: str, workers: int, count: int) -> dict[str, Any]:
    """Start the worker processes at the due instant; sample progress each second until they exit."""
    env = {**os.environ, "ZHIFA_DATABASE_URL": url, "ZHIFA_SECRET_KEY": SECRET, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "service", "timers", "run", "--now", DUE.isoformat()]
    engine = create_engine(url)
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    processes = [
        subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
        for _ in range(workers)
    ]
    samples: list[tuple[float, int]] = []
    while any(p.poll() is None for p in processes):
        time.sleep(1.0)
        samples.append((time.perf_counter() - started, fired_count(engine)))
    elapsed = time.perf_counter() - started
    outputs = [p.communicate()[0].decode().strip().splitlines()[-1:] for p in processes]
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    samples.append((elapsed, fired_count(engine)))
    engine.dispose()
    return {
        "elapsed": elapsed,
        "samples": samples,
        "outputs": outputs,
        "codes": [p.returncode for p in processes],
        "worker_cpu": cpu,
    }


def check(url: str, count: int) -> dict[str, int]:
    """Count instances fired once, more than once, not at all, and incidents."""
    engine = create_engine(url)
    with engine.connect() as connection:
        per_instance = (
            select(AuditEvent.instance_id, func.count().label("n"))
            .where(AuditEvent.kind == "timer_fired")
            .group_by(AuditEvent.instance_id)
            .subquery()
        )
        once = connection.execute(select(func.count()).select_from(per_instance).where(per_instance.c.n == 1))
        twice = connection.execute(select(func.count()).select_from(per_instance).where(per_instance.c.n > 1))
        waiting = connection.execute(
            select(func.count())
            .select_from(ProcessInstance)
            .where(ProcessInstance.next_timer_due_at.is_not(None))
        )
        incidents = connection.execute(select(func.count()).select_from(Incident))
        result = {
            "fired_once": int(once.scalar() or 0),
            "fired_more_than_once": int(twice.scalar() or 0),
            "still_waiting": int(waiting.scalar() or 0),
            "incidents": int(incidents.scalar() or 0),
        }
    engine.dispose()
    return result


def rates(samples: list[tuple[float, int]], count: int) -> tuple[float, float]:
    """Throughput (timers/s) over the first and the last fifth of the backlog."""

    def rate_between(low: int, high: int) -> float:
        inside = [(t, n) for t, n in samples if low <= n <= high]
        first = next(((t, n) for t, n in samples if n >= low), samples[-1])
        last = next(((t, n) for t, n in samples if n >= high), samples[-1])
        if not inside or last[0] <= first[0]:
            return 0.0
        return (last[1] - first[1]) / (last[0] - first[0])

    return rate_between(count // 20, count // 5), rate_between(count * 3 // 4, count * 19 // 20)


def from_template(template: str, name: str, count: int) -> tuple[str, float]:
    """Clone the run's database from `template` (seeded with `count` timers first if it is missing).

    Seeding 10,000 cases takes longer than draining them; runs to compare (before/after, A/B) start
    from the same seeded cases this way. Returns the run's URL and the seconds spent seeding.
    """
    admin = create_engine(ADMIN_PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": template})
        missing = exists.first() is None
    admin.dispose()
    seconds = 0.0
    if missing:
        url = postgres_database(template)
        assert url is not None, "PostgreSQL is not reachable"
        seconds = seed(url, count)
    admin = create_engine(ADMIN_PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    admin.dispose()
    url = ADMIN_PG_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade_database(url)  # a template seeded by older code gets this code's migrations
    return url, seconds


def bench(database: str, count: int, workers: int, template: str | None = None) -> None:
    """Run one measurement and print its figures."""
    name = f"zhifa_bench_timers_{os.getpid()}"
    folder = tempfile.mkdtemp(prefix="zhifa-timers-")
    if template and database == "postgres":
        url, seconds = from_template(template, name, count)
    else:
        url = postgres_database(name) if database == "postgres" else f"sqlite:///{folder}/bench.sqlite3"
    if url is None:
        print(f"{database}: not reachable, skipped")
        return
    try:
        if not (template and database == "postgres"):
            seconds = seed(url, count)
        run = run_workers(url, workers, count)
        result = check(url, count)
    finally:
        if database == "postgres":
            drop_postgres_database(name)
    early, late = rates(run["samples"], count)
    print(f"== timers on {database}: {count} due, {workers} worker processes (seeded in {seconds:.0f} s)")
    print(f"drained_in_seconds: {run['elapsed']:.1f}")
    print(f"timers_per_second: {count / run['elapsed']:.0f}")
    print(f"timers_per_second_early_vs_late: {early:.0f} / {late:.0f}")
    print(f"fired_once: {result['fired_once']}  fired_twice_or_more: {result['fired_more_than_once']}")
    print(f"still_waiting: {result['still_waiting']}  incidents: {result['incidents']}")
    print(f"worker_exit_codes: {run['codes']}")
    # What the workers themselves spent (PostgreSQL not included): the drain time on a machine where
    # the workers get their cores, whatever else runs on this one.
    per_timer = run["worker_cpu"] / max(count, 1)
    print(f"worker_cpu_ms_per_timer: {1000 * per_timer:.1f}")
    print(f"load_average_1min_at_end: {os.getloadavg()[0]:.1f}")


def main() -> None:
    """Parse arguments and run the benchmark on the chosen databases."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timers", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", choices=("postgres", "sqlite", "both"), default="postgres")
    parser.add_argument(
        "--template", help="PostgreSQL: clone each run from this database, seeding it first if missing"
    )
    args = parser.parse_args()
    for database in ("postgres", "sqlite") if args.database == "both" else (args.database,):
        bench(database, args.timers, args.workers, args.template)


if __name__ == "__main__":
    main()
