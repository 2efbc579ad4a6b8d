"""Completions per second with several clients, each walking its own cases, against gunicorn."""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime

from bench.setup import gunicorn, users_by_role
from bench.walks import PROCESSES, Walker
from forms import default_registry
from workflows import CHINA_TZ


def throughput(
    url: str, keys: dict[str, str | None], workers: int, clients: int, seconds: float
) -> tuple[float, int]:
    """Run `clients` threads for `seconds` on `workers` gunicorn workers; return completions/s, errors."""
    today = datetime.now(UTC).astimezone(CHINA_TZ).date()
    with gunicorn(url, workers=workers) as api:
        api.token("auditor")
        done, errors = [0] * clients, [0] * clients
        stop_at = time.monotonic() + seconds

        def client(index: int) -> None:
            from bench.http_client import HttpApi

            own = HttpApi(api.host, api.port)
            own.tokens = dict(api.tokens)
            walker = Walker(own, default_registry(), users_by_role(), today)
            rng = random.Random(index)
            while time.monotonic() < stop_at:
                try:
                    process = PROCESSES[rng.randrange(2)]  # the two processes people start most
                    case = walker.start(process, rng, keys[process])
                    while time.monotonic() < stop_at and walker.step(case, rng) is not None:
                        done[index] += 1
                except Exception:  # noqa: BLE001  (counted: a benchmark reports failures, it does not stop)
                    errors[index] += 1
            errors[index] += walker.errors

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    return sum(done) / elapsed, sum(errors)
