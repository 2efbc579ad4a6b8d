"""Benchmark: task completions through the API (in-process and over HTTP) against the raw engine floor.

The floor is SpiffWorkflow itself running the same diagram with the same data, with one full
serialise + restore per step (what any persistent engine must at least do). Both are measured in
the same run on the same machine, so the printed ratio is comparable across machines.

    python bench/run.py --quick      # about a minute; last line: ratio_to_engine_floor: <ratio>
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.engine_floor import engine_floor_ms  # noqa: E402
from bench.http_client import HttpApi  # noqa: E402
from forms import FormRegistry, sample_input  # noqa: E402

PROCESS_DIR = ROOT / "tests" / "data" / "acceptance"
PROCESS_KEY = "case_flow"
FORMS = FormRegistry.from_directory(PROCESS_DIR / "forms")
TODAY = date(2026, 10, 9)
ANSWERS = {
    "register_case": {"received_on": "2026-09-29"},
    "approve_filing": {"filing_decision": "approve"},
    "inspect_site": {"damaged_area": "35.50", "photos": []},
    "legal_review": {"legal_opinion": "agree"},
}
USERS = {
    "officer": "officer1",
    "squad_leader": "squad_leader",
    "legal_reviewer": "legal_reviewer",
}


def task_data(form_key: str, bpmn_id: str) -> dict[str, Any]:
    """The JSON a client sends for a task: generated from its form, with routing answers."""
    definition = FORMS.get(form_key).definition
    overrides = ANSWERS.get(bpmn_id, {})
    data = sample_input(definition, today=TODAY, overrides=overrides)
    return {k: v for k, v in data.items() if not (isinstance(v, list) and not v)}


def run_api(api: Any, instances: int) -> tuple[list[float], float]:
    """Start and finish `instances` cases; return per-completion milliseconds and instances/s."""
    timings: list[float] = []
    started = time.perf_counter()
    for _ in range(instances):
        body = api.post("officer1", "/process-instances", {"process_key": PROCESS_KEY, "data": {}})
        while body["tasks"]:
            task = body["tasks"][0]
            payload = {"data": task_data(task["form_key"], task["bpmn_id"])}
            t0 = time.perf_counter()
            body = api.post(USERS[task["role"]], f"/tasks/{task['id']}/complete", payload)
            timings.append((time.perf_counter() - t0) * 1000)
        assert body["status"] == "completed", body["status"]
    return timings, instances / (time.perf_counter() - started)


class InProcessApi:
    """The Flask app called in-process through its test client (no network)."""

    def __init__(self, app: Any) -> None:
        self.client = app.test_client()
        self.tokens: dict[str, str] = {}

    def token(self, user: str) -> str:
        if user not in self.tokens:
            response = self.client.post("/api/v1/auth/token", json={"username": user, "password": user})
            self.tokens[user] = response.json["token"]
        return self.tokens[user]

    def post(self, user: str, path: str, body: Any) -> Any:
        response = self.client.post(
            f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer {self.token(user)}"}
        )
        assert response.status_code in {200, 201}, response.json
        return response.json


def prepare_database(url: str) -> Any:
    """Migrate a fresh database, create the users and deploy the process; return the app."""
    from service import create_app
    from service.db import session_scope
    from service.migrate import upgrade_database
    from service.operations import deploy
    from service.operations.audit import SYSTEM_ACTOR
    from service.operations.users import create_user

    upgrade_database(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret", "DEMO_MODE": True})
    files = {p.name: p.read_bytes() for p in PROCESS_DIR.rglob("*") if p.suffix in {".bpmn", ".dmn", ".yaml"}}
    with app.app_context(), session_scope(app) as session:
        for user in {*USERS.values(), "process_owner"}:
            role = next((r for r, u in USERS.items() if u == user), "process_owner")
            create_user(
                session,
                user,
                user,
                [role],
                display_name=user,
                known_roles=set(app.config["ROLES"]),
                actor=SYSTEM_ACTOR,
                hash_method="pbkdf2:sha256:1000",
            )
        deploy.deploy_files(session, files, SYSTEM_ACTOR)
        session.commit()
    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_http(url: str, instances: int, workers: int) -> tuple[list[float], float]:
    """Serve the app with gunicorn on a local port and drive it over real HTTP."""
    port = free_port()
    env = {
        **os.environ,
        "ZHIFA_DATABASE_URL": url,
        "ZHIFA_SECRET_KEY": "bench-secret",
        "ZHIFA_DEMO_MODE": "true",
    }
    server = subprocess.Popen(  # noqa: S603  (our own gunicorn, bound to loopback)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "service:create_app()",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        api = HttpApi("127.0.0.1", port)
        api.wait_ready(timeout=30)
        return run_api(api, instances)
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run (about a minute)")
    parser.add_argument("--instances", type=int, help="instances per measured series")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    instances = args.instances or (15 if args.quick else 100)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        app = prepare_database(url)
        floor_ms = engine_floor_ms(PROCESS_DIR, PROCESS_KEY, instances, task_data, FORMS)
        run_api(InProcessApi(app), 2)  # warm caches (parsed definition, compiled forms)
        in_process, in_process_rate = run_api(InProcessApi(app), instances)
        over_http, http_rate = run_http(url, instances, workers=2)
    report(floor_ms, in_process, in_process_rate, over_http, http_rate)


def report(
    floor: list[float], in_process: list[float], in_rate: float, http: list[float], http_rate: float
) -> None:
    floor_median = statistics.median(floor)
    in_median = statistics.median(in_process)
    print(json.dumps({"process": PROCESS_KEY, "completions": len(in_process)}, ensure_ascii=False))
    print(f"engine floor (serialise + restore per step): median {floor_median:.2f} ms per task completion")
    print(f"API in-process:  median {in_median:.2f} ms per completion, {in_rate:.1f} instances/s")
    print(
        f"API over HTTP:   median {statistics.median(http):.2f} ms per completion, "
        f"{http_rate:.1f} instances/s"
    )
    print(f"http_ratio_to_engine_floor: {statistics.median(http) / floor_median:.2f}")
    print(f"ratio_to_engine_floor: {in_median / floor_median:.2f}")


if __name__ == "__main__":
    main()
