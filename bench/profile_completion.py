"""Profile task completions in-process: cProfile by function, and SQL statements per completion.

    python bench/profile_completion.py [--postgres] [--rounds 40]

Walks seeded cases of all five processes (as bench/run.py does), then prints the functions with
the most cumulative time and how many SQL statements each completion request ran.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.http_client import InProcessApi  # noqa: E402
from bench.run import start_forms, walk_all  # noqa: E402
from bench.setup import postgres_url, prepare_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--cases", type=int, default=2)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = (postgres_url() if args.postgres else None) or f"sqlite:///{tmp}/profile.sqlite3"
        app = prepare_database(url)
        keys = start_forms(app)
        api = InProcessApi(app)
        walk_all(api, keys, 1, 5)
        statements: list[str] = []
        event.listen(
            app.extensions["zhifa.engine"], "before_cursor_execute", lambda *a: statements.append(a[2])
        )
        per_request: list[int] = []
        kinds: Counter[str] = Counter()
        original = api._raw

        def counted(method: str, path: str, body: object, token: str | None) -> tuple[int, object]:
            before = len(statements)
            result = original(method, path, body, token)
            if path.endswith("/complete"):
                per_request.append(len(statements) - before)
                kinds.update(" ".join(s.split()[:4])[:70] for s in statements[before:])
            return result

        api._raw = counted  # type: ignore[method-assign]
        profiler = cProfile.Profile()
        profiler.enable()
        cases, _ = walk_all(api, keys, args.cases, 40)
        profiler.disable()
    steps = [s.ms for c in cases for s in c.steps]
    print(f"{len(steps)} completions, median {statistics.median(steps):.1f} ms")
    print(f"SQL statements per completion: median {statistics.median(per_request)}, max {max(per_request)}")
    for text, count in kinds.most_common(15):
        print(f"    {count / len(per_request):5.1f} x  {text}")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats("service|workflows|forms", args.top)


if __name__ == "__main__":
    random.seed(0)
    main()
