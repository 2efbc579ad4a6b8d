"""A wall-clock limit for sandboxed expressions and scripts (a `while True:` must not hang a worker).

Uses SIGALRM, so it applies where requests and timer runs execute on the main thread (gunicorn sync
workers, the CLI). Elsewhere (a threaded development server) the limit is skipped; gunicorn's worker
timeout still ends a runaway request there, and the request's transaction rolls back.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from .errors import SandboxViolation

SCRIPT_SECONDS = 2.0


@contextlib.contextmanager
def time_limit(seconds: float = SCRIPT_SECONDS) -> Iterator[None]:
    """Raise SandboxViolation in the block if it runs longer than `seconds` (main thread only)."""
    if threading.current_thread() is not threading.main_thread() or signal.getitimer(signal.ITIMER_REAL)[0]:
        yield  # not ours to arm: another alarm is pending, or signals cannot reach this thread
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise SandboxViolation(f"script or expression ran longer than {seconds:g} s and was stopped")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
