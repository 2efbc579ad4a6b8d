"""Benchmark: status diagrams of the bureau's processes, per request (issue 10 item 6, issue 7 item 5).

Loads the demo (bpmn/ deployed, sample cases pushed 0-60 steps) into a scratch SQLite database and
asks the API for every sample case's diagram in both layouts: the first request of a definition
version lays it out (the template), every later one only recolours it; a request with the current
ETag answers 304. Prints milliseconds per request (median and max over the repeats).

    python bench/diagrams.py            # 20 repeats
    python bench/diagrams.py --repeats 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from service import create_app  # noqa: E402
from service.db import session_scope  # noqa: E402
from service.demo import load_demo  # noqa: E402
from service.migrate import upgrade_database  # noqa: E402
from service.models import ProcessInstance  # noqa: E402
from workflows import template_cache_stats  # noqa: E402


def _ms(seconds: list[float]) -> str:
    return f"median {1000 * statistics.median(seconds):.1f} ms, max {1000 * max(seconds):.1f} ms"


def main() -> None:
    """Build the demo data, then time the diagram requests."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="zhifa-diagrams-")
    url = f"sqlite:///{folder}/bench.sqlite3"
    upgrade_database(url)
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "bench-" + "k" * 58, "DEMO_MODE": True, "TESTING": False}
    )
    with app.app_context():
        for _line in load_demo(app):
            pass
        with session_scope(app) as session:
            cases = [
                (row.id, row.process_key)
                for row in session.execute(select(ProcessInstance.id, ProcessInstance.process_key))
            ]
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "auditor", "password": "auditor"}).json[
        "token"
    ]
    headers = {"Authorization": f"Bearer {token}"}
    for layout in ("auto", "bpmn"):
        for process_key in sorted({key for _, key in cases}):
            ids = [i for i, key in cases if key == process_key]
            first, warm, not_modified = [], [], []
            for index, instance_id in enumerate(ids):
                path = f"/api/v1/process-instances/{instance_id}/diagram.svg?layout={layout}"
                for repeat in range(args.repeats):
                    started = time.perf_counter()
                    response = client.get(path, headers=headers)
                    elapsed = time.perf_counter() - started
                    assert response.status_code == 200, response.data[:300]
                    (first if index == 0 and repeat == 0 else warm).append(elapsed)
                etag = response.headers["ETag"]
                started = time.perf_counter()
                assert client.get(path, headers={**headers, "If-None-Match": etag}).status_code == 304
                not_modified.append(time.perf_counter() - started)
            print(
                f"{layout:4} {process_key:24} first (lays out) {1000 * first[0]:7.1f} ms | "
                f"recoloured {_ms(warm)} | 304 {_ms(not_modified)}"
            )
    print(f"templates: {template_cache_stats()}")


if __name__ == "__main__":
    main()
