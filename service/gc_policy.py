"""Python's cyclic garbage collector in a web worker: full passes between requests, not inside them.

A web worker keeps up to 256 restored cases in memory (runtime.InstanceCache; a late load-bearing
case is ~9,000 tracked objects), so a full collection walks millions of objects: 100–140 ms measured
here, landing inside whichever request happened to allocate at that moment (a task completion of
15 ms took 85). Under `tune_for_requests` the automatic collector runs only its young generations
(one pass per 10,000 allocations instead of 700), and `collect_after_request`, called once a
response has been sent (gunicorn's post_request hook, service/gunicorn_conf.py), runs the full pass
when as many young passes have accumulated as the default policy would allow. What the worker
loaded before serving (the app, parsed diagrams) is frozen out of every later pass.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLDS = (10_000, 20)
NEVER = 1 << 30  # the automatic full pass is left to collect_after_request
FULL_AFTER = 100  # middle-generation passes between full passes (CPython's default threshold2 is 10)


def tune_for_requests() -> None:
    """Freeze what is loaded now and stop the automatic full pass (call once per worker process)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*YOUNG_THRESHOLDS, NEVER)


def collect_after_request() -> bool:
    """Run the full pass if it is due (after a response went out); tell whether it ran."""
    if gc.get_count()[2] < FULL_AFTER:
        return False
    gc.collect()
    return True
