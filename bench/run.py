"""Benchmark: the bureau's processes through the API (in-process and over HTTP) against the lean engine floor.

Seeded random walks of all five processes in bpmn/ run in-process and over HTTP with gunicorn, on
SQLite and on PostgreSQL when reachable; the lean floor (bench/engine_floor.py: SpiffWorkflow
restoring, running and saving the same state-only blob, validation outside the timing) replays the
very same walks. It prints per-process and overall median/p95 and the ratios, the slowest step
types, the cost of one long case along its history, and (full run) throughput with 2 and 4
gunicorn workers and 1/4/16 concurrent clients.

    python bench/run.py --quick   # about two minutes; ends with history_ratio and ratio_to_engine_floor
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.engine_floor import replay_ms  # noqa: E402
from bench.history import history_curve  # noqa: E402
from bench.http_client import InProcessApi  # noqa: E402
from bench.setup import gunicorn, postgres_url, prepare_database, users_by_role  # noqa: E402
from bench.throughput import throughput  # noqa: E402
from bench.walks import PROCESSES, STARTED_BY_PEOPLE, Case, Walker  # noqa: E402
from forms import default_registry  # noqa: E402
from workflows import CHINA_TZ, load_definitions  # noqa: E402

SEED = 20261203


def china_today() -> date:
    return datetime.now(UTC).astimezone(CHINA_TZ).date()


def start_forms(app: Any) -> dict[str, str | None]:
    from service.db import session_scope
    from service.operations.deploy import latest_definition
    from service.runtime import get_runtime

    with app.app_context(), session_scope(app) as session:
        return {
            p: get_runtime().loaded(latest_definition(session, p)).process.start_form_key for p in PROCESSES
        }


def timer_worker(app: Any) -> Callable[[datetime], Any]:
    """Fire the timers due at an instant as the timer worker does, on the app's database (untimed)."""
    from service.worker import run_due_timers

    return lambda instant: run_due_timers(app, instant)


def walk_all(
    api: Any,
    keys: dict[str, str | None],
    cases_per_process: int,
    max_steps: int,
    fire: Callable[[datetime], Any] | None = None,
) -> tuple[list[Case], int]:
    """Walk `cases_per_process` seeded cases of every process; return them and the refused answers."""
    walker = Walker(api, default_registry(), users_by_role(), china_today())
    walker.fire_timers = fire
    rng = random.Random(SEED)
    cases = []
    for index in range(cases_per_process):
        for process in STARTED_BY_PEOPLE:
            case = walker.start(process, random.Random(rng.random() + index), keys[process])
            cases.append(walker.walk(case, rng, max_steps))
    walked: set[int] = api.__dict__.setdefault("walked", set())  # one database, several series
    for case in walker.spawned(walked | {c.instance_id for c in cases}):  # e.g. publicity cases
        cases.append(walker.walk(case, rng, max_steps))
    walked.update(c.instance_id for c in cases)
    return cases, walker.refused


def owner_of(definitions: dict[str, Any]) -> dict[str, str]:
    """Map each (sub-)process id to the bureau process (bpmn file) that holds it."""
    owners = {key: key for key in definitions}
    for key, definition in definitions.items():
        called = {name for name in definition.subprocess_specs if name in definitions}
        theirs = {name for name in called for name in definitions[name].subprocess_specs}
        for name in set(definition.subprocess_specs) - called - theirs:
            owners.setdefault(name, key)
    return owners


def by_process(cases: list[Case], owners: dict[str, str]) -> dict[str, list[float]]:
    """Completion timings by the bureau process each task belongs to."""
    out: dict[str, list[float]] = {}
    for case in cases:
        for step in case.steps:
            out.setdefault(owners.get(step.scope, step.scope), []).append(step.ms)
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def summary(label: str, timings: dict[str, list[float]]) -> list[float]:
    """Print median/p95 per process and overall; return all values."""
    everything = [v for values in timings.values() for v in values]
    print(
        f"{label}: {len(everything)} completions, "
        f"median {statistics.median(everything):.2f} ms, p95 {p95(everything):.2f} ms"
    )
    for process, values in sorted(timings.items()):
        print(
            f"    {process:<24} n={len(values):<4} "
            f"median {statistics.median(values):7.2f} ms  p95 {p95(values):7.2f} ms"
        )
    return everything


STEP_TYPE_TARGET_MS = 30.0  # issue 10: no step type above this median over HTTP


def slowest_step_types(cases: list[Case], limit: int = 6) -> None:
    kinds: dict[str, list[float]] = {}
    for case in cases:
        for step in case.steps:
            kinds.setdefault(f"{step.scope}.{step.bpmn_id}", []).append(step.ms)
    ranked = sorted(kinds.items(), key=lambda kv: -statistics.median(kv[1]))
    print(
        "    slowest step types (median over HTTP):",
        ", ".join(f"{k} {statistics.median(v):.1f} ms (n={len(v)})" for k, v in ranked[:limit]),
    )
    over = [k for k, v in ranked if statistics.median(v) > STEP_TYPE_TARGET_MS]
    print(
        f"    step types above {STEP_TYPE_TARGET_MS:g} ms median: {len(over)} of {len(ranked)}"
        + (f" ({', '.join(over)})" if over else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run (about two minutes)")
    parser.add_argument("--cases", type=int, help="cases per process and series")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    cases_per_process = args.cases or (2 if args.quick else 6)
    max_steps = 60 if args.quick else 80
    definitions = load_definitions(
        {
            p.name: p.read_text(encoding="utf-8")
            for p in (ROOT / "bpmn").glob("*")
            if p.suffix in {".bpmn", ".dmn"}
        }
    )
    forms = default_registry()
    owners = owner_of(definitions)
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = f"sqlite:///{tmp}/bench.sqlite3"
        app = prepare_database(sqlite_url)
        keys = start_forms(app)
        fire = timer_worker(app)
        walk_all(InProcessApi(app), keys, 1, 5)  # warm caches (parsed definitions, compiled forms)
        in_process, _ = walk_all(InProcessApi(app), keys, cases_per_process, max_steps, fire)
        summary("API in-process (SQLite)", by_process(in_process, owners))
        pg_url = None if args.no_postgres else postgres_url()
        if pg_url is not None and not args.quick:
            with gunicorn(sqlite_url, workers=2) as api:
                summary(
                    "API over HTTP (gunicorn 2 workers, SQLite)",
                    by_process(walk_all(api, keys, cases_per_process, max_steps, fire)[0], owners),
                )
        url = pg_url or sqlite_url
        database = "PostgreSQL" if pg_url else "SQLite"
        if pg_url:
            fire = timer_worker(prepare_database(pg_url))
        with gunicorn(url, workers=2) as api:
            walk_all(api, keys, 1, 3)  # warm both workers
            over_http, refused = walk_all(api, keys, cases_per_process, max_steps, fire)
            http_all = summary(
                f"API over HTTP (gunicorn 2 workers, {database})", by_process(over_http, owners)
            )
            slowest_step_types(over_http)
            print(f"    generated answers refused (422, case stopped there): {refused}")
            curve = history_curve(api, china_today(), [10, 200] if args.quick else [10, 200, 1000])
        floor, missed = replay_ms(over_http, definitions, forms, datetime.now(UTC), owners)
        floor_all = summary("lean engine floor (restore + run + save state-only blob)", floor)
        if missed:
            print(f"    steps the floor could not replay: {missed}")
        if not args.quick and pg_url:
            for workers in (2, 4):
                for clients in (1, 4, 16):
                    rate, errors = throughput(pg_url, keys, workers, clients, seconds=15)
                    print(
                        f"throughput (PostgreSQL, gunicorn {workers} workers, {clients} clients): "
                        f"{rate:.1f} completions/s, errors {errors}"
                    )
    report(http_all, floor_all, in_process, curve)


def report(
    http_all: list[float], floor_all: list[float], in_process: list[Case], curve: dict[int, float]
) -> None:
    in_all = [s.ms for c in in_process for s in c.steps]
    floor_median, floor_p95 = statistics.median(floor_all), p95(floor_all)
    print(f"in-process median / floor median: {statistics.median(in_all) / floor_median:.2f}")
    print(
        f"HTTP p95 / floor p95: {p95(http_all) / floor_p95:.2f}; "
        f"HTTP p95 / floor median: {p95(http_all) / floor_median:.2f}"
    )
    print(
        "history (load-bearing case, rectification review loop, over HTTP): "
        + ", ".join(f"step {k}: {v:.2f} ms" for k, v in curve.items())
    )
    steps = sorted(curve)
    print(f"history_ratio: {curve[steps[1]] / curve[steps[0]]:.2f}")
    if len(steps) > 2:
        print(f"history_ratio_1000: {curve[steps[2]] / curve[steps[0]]:.2f}")
    print(f"ratio_to_engine_floor: {statistics.median(http_all) / floor_median:.2f}")


if __name__ == "__main__":
    main()
