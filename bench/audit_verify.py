"""Benchmark: verify an audit chain of a million events (the figure in README "Reliability").

Builds a fresh SQLite database (or uses --database-url) holding N events in streams of 100, every
one correctly chained and signed, then runs the same verification `zhifa audit verify` runs, with
its progress lines, and prints the time.

    python bench/audit_verify.py --events 1000000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from service import create_app  # noqa: E402
from service.db import session_scope  # noqa: E402
from service.migrate import upgrade_database  # noqa: E402
from service.models import AuditEvent  # noqa: E402
from service.operations.audit import GENESIS, audit_key, hash_fields  # noqa: E402
from service.operations.audit_verify import verify  # noqa: E402

PER_STREAM = 100
BATCH = 20_000


def fill(app: object, events: int) -> None:
    """Insert `events` signed events in streams of PER_STREAM."""
    key = audit_key()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows: list[dict[str, object]] = []
    previous = GENESIS
    with session_scope(app) as session:  # type: ignore[arg-type]
        for number in range(events):
            stream, seq = f"bench:{number // PER_STREAM}", number % PER_STREAM + 1
            fields = {
                "stream": stream,
                "seq": seq,
                "instance_id": None,
                "occurred_at": start + timedelta(seconds=number),
                "actor": "officer1",
                "role": "officer",
                "kind": "task_completed",
                "task_id": None,
                "task_bpmn_id": "inspect_site",
                "task_name": "现场检查",
                "data": {"party_name": "张三", "fine_amount": "20000.00"},
                "diff": {"added": {}, "changed": {}, "removed": []},
                "attachments": None,
                "prev_hash": GENESIS if seq == 1 else previous,
                "state_hash": None,
            }
            fields["hash"] = hash_fields(fields, key)
            rows.append(fields)
            previous = fields["hash"]
            if len(rows) == BATCH:
                session.execute(insert(AuditEvent), rows)
                rows = []
        if rows:
            session.execute(insert(AuditEvent), rows)
        session.commit()


def main() -> None:
    """Build the chain, verify it, print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="zhifa-audit-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    upgrade_database(url)
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url})
    with app.app_context():
        began = time.monotonic()
        fill(app, args.events)
        print(f"filled {args.events:,} events in {time.monotonic() - began:.1f} s")
        began = time.monotonic()

        def progress(done: int, total: int) -> None:
            if done % 100_000 == 0 or done == total:
                print(f"  {done:,} / {total:,} ({time.monotonic() - began:.1f} s)")

        with session_scope(app) as session:
            report = verify(session, progress=progress)
        seconds = time.monotonic() - began
    print(
        f"verified {report.checked:,} events in {seconds:.1f} s ({report.checked / seconds:,.0f} events/s); "
        f"ok={report.ok}"
    )


if __name__ == "__main__":
    main()
