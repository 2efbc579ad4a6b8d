"""Benchmark: `zhifa audit verify` and the verification page on a million events (docs/notes-audit.md).

Fills a scratch database with N signed events (bench/audit_verify.py's `fill`), then
1. runs the real CLI, `zhifa audit verify`, as a subprocess on that database, and
2. starts a verification from the page (POST /audit/verify as the auditor) and polls its progress
   fragment (GET /audit/verify/<job>, as htmx does every second) until it ends,
printing the wall time of each and the progress the page showed.

    python bench/audit_verify_ui.py --events 1000000
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.audit_verify import fill  # noqa: E402
from service import create_app  # noqa: E402
from service.db import session_scope  # noqa: E402
from service.migrate import upgrade_database  # noqa: E402
from service.operations.audit import SYSTEM_ACTOR  # noqa: E402
from service.operations.users import create_user  # noqa: E402

SECRET = "bench-secret-key-of-enough-length-0123456789"


def run_cli(url: str) -> float:
    """Run `zhifa audit verify` on `url`; return its wall time."""
    env = {**os.environ, "ZHIFA_DATABASE_URL": url, "ZHIFA_SECRET_KEY": SECRET}
    began = time.monotonic()
    done = subprocess.run(  # noqa: S603  (our own console script)
        [str(Path(sys.executable).parent / "zhifa"), "audit", "verify"],
        env=env,
        capture_output=True,
        check=False,
        text=True,
    )
    seconds = time.monotonic() - began
    lines = done.stderr.strip().splitlines()
    print(
        f"CLI exit {done.returncode}: {done.stdout.strip()} ({len(lines)} progress lines, last: {lines[-1:]})"
    )
    return seconds


def run_page(app: object) -> float:
    """Start a whole-database check from the page and poll it until it ends; return its wall time."""
    client = app.test_client()  # type: ignore[attr-defined]
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"username": "auditor", "password": "auditor", "csrf_token": token})
    page = client.get("/audit/verify").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    began = time.monotonic()
    started = client.post("/audit/verify", data={"csrf_token": token, "scope": "all"})
    seen = []
    while True:
        fragment = client.get(started.location, headers={"HX-Request": "true"}).get_data(as_text=True)
        shown = re.search(r'data-testid="verify-progress">([^<]*)<', fragment)
        seen.append(f"{time.monotonic() - began:.0f}s {shown.group(1) if shown else '?'}")
        if 'data-finished="true"' in fragment:
            break
        time.sleep(1)
    seconds = time.monotonic() - began
    ok = "intact" if "alert-success" in fragment else "NOT intact"
    print(f"page: {ok}; progress shown: {seen[:3]} … {seen[-3:]} ({len(seen)} polls)")
    return seconds


def main() -> None:
    """Build the chain, verify it through the CLI and through the page, print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="zhifa-audit-ui-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    upgrade_database(url)
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "DATABASE_URL": url})
    with app.app_context():
        began = time.monotonic()
        fill(app, args.events)
        with session_scope(app) as session:
            create_user(
                session,
                "auditor",
                "auditor",
                ["auditor"],
                display_name="督察",
                known_roles={"auditor"},
                actor=SYSTEM_ACTOR,
                hash_method="pbkdf2:sha256:1000",
            )
            session.commit()
        print(f"filled {args.events:,} events in {time.monotonic() - began:.1f} s ({url})")
    print(f"zhifa audit verify: {run_cli(url):.1f} s")
    print(f"verification page: {run_page(app):.1f} s")


if __name__ == "__main__":
    main()
